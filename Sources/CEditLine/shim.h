#ifndef MYC_CEDITLINE_SHIM_H
#define MYC_CEDITLINE_SHIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <editline/readline.h>
#include <histedit.h>

/* Swift 6 cannot touch mutable C globals directly; these accessors are the only way in. */
static inline const char *myc_rl_library_version(void) { return rl_library_version; }
static inline void myc_rl_set_readline_name(const char *name) { rl_readline_name = name; }

/* The line being edited and the cursor in it (bytes of rl_line_buffer). */
static inline const char *myc_rl_line_buffer(void) { return rl_line_buffer; }
static inline int myc_rl_point(void) { return rl_point; }
static inline int myc_rl_end(void) { return rl_end; }

/* Streams and signals: the chat installs its own SIGINT/SIGWINCH handlers. */
static inline void myc_rl_set_streams(FILE *in, FILE *out) { rl_instream = in; rl_outstream = out; }
static inline FILE *myc_stdin(void) { return stdin; }
static inline FILE *myc_stdout(void) { return stdout; }
static inline void myc_fflush_stdout(void) { fflush(stdout); }
static inline void myc_rl_set_catch_signals(int on) { rl_catch_signals = on; rl_catch_sigwinch = on; }

/* Input: the chat reads the terminal itself and feeds libedit one character (code point) at a time. */
static inline void myc_rl_set_getc(int (*fn)(FILE *)) { rl_getc_function = fn; }

/* Completion: the chat's function, words split on blanks only, no filename fallback. */
static inline void myc_rl_set_completion(rl_completion_func_t *fn) { rl_attempted_completion_function = fn; }
static inline void myc_rl_completion_over(void) { rl_attempted_completion_over = 1; }
static char myc_word_breaks[] = " \t";
static inline void myc_rl_set_word_breaks(void) { rl_completer_word_break_characters = myc_word_breaks; }
static inline void myc_rl_set_append_character(int c) { rl_completion_append_character = c; }

/* A malloc'd NULL-terminated array for rl_attempted_completion_function (libedit frees it). */
static inline char **myc_alloc_matches(size_t count) { return (char **)calloc(count + 1, sizeof(char *)); }
static inline void myc_set_match(char **matches, size_t index, const char *text) { matches[index] = strdup(text); }
#endif
