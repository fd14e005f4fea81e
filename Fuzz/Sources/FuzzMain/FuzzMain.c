#include <stddef.h>
#include <stdint.h>
#include "FuzzMain.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAIN(name) \
    int name(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

FUZZ_MAIN(fuzz_frames_main)
FUZZ_MAIN(fuzz_canonical_main)
FUZZ_MAIN(fuzz_relay_core_main)
FUZZ_MAIN(fuzz_peer_inbound_main)
