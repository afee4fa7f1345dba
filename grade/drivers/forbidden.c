/*
 * forbidden.c: compiled (-c, never linked) against a submission's mems.h so that every function of the
 * course's API is emitted into one object; `mems grade`'s forbidden-calls check reads the object's
 * undefined symbols (nm -u): the submission's own code may name no heap allocator of libc's.
 */
#include "mems.h"
#undef main

/* Taking each function's address makes the compiler emit it, static or not. */
void *mems_grade_uses[] = {
    (void *)mems_init, (void *)mems_finish, (void *)mems_malloc,
    (void *)mems_free, (void *)mems_print_stats, (void *)mems_get,
};
