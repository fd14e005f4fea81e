#ifndef MYC_CEDITLINE_SHIM_H
#define MYC_CEDITLINE_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#include <histedit.h>

/* Swift 6 cannot touch mutable C globals directly; these accessors are the only way in. */
static inline const char *myc_rl_library_version(void) { return rl_library_version; }
static inline void myc_rl_set_readline_name(const char *name) { rl_readline_name = name; }
#endif
