#ifndef MYC_CSODIUM_SHIM_H
#define MYC_CSODIUM_SHIM_H
#include <sodium.h>
#endif
