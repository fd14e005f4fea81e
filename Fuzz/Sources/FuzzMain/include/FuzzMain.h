// SwiftPM links every executable with `main` aliased to `<module>_main` (unless its own
// --sanitize=fuzzer is used, which loses coverage here); these forward to libFuzzer's driver.
int fuzz_frames_main(int argc, char **argv);
