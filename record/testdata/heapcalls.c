/*
 * A small program for cli/record.test.ts: one call of each kind with a size the test can find, a free
 * of a pointer the recorder never saw (from __libc_malloc, which bypasses interposition), a forked
 * child's calls, two threads' calls, and then an exit status, or a crash, chosen by argv[1]. Built with
 * -O0 -fno-builtin: the compiler would otherwise drop a malloc whose block is never read.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);

static void *worker(void *arg) {
    size_t size = (size_t)arg;
    for (int i = 0; i < 500; i++) {
        char *p = malloc(size);
        memset(p, 1, size);
        free(p);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "0";
    char *a = malloc(1001);
    char *b = calloc(3, 1001);
    a = realloc(a, 2002);
    void *c = NULL;
    if (posix_memalign(&c, 64, 4004) != 0) return 100;
    void *d = aligned_alloc(64, 5120);
    void *e = memalign(64, 6006);
    if (getenv("HEAPCALLS_UNKNOWN") != NULL) free(__libc_malloc(77));
    pid_t child = fork();
    if (child == 0) {
        free(malloc(7007));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    pthread_t one, two;
    pthread_create(&one, NULL, worker, (void *)8101);
    pthread_create(&two, NULL, worker, (void *)8202);
    pthread_join(one, NULL);
    pthread_join(two, NULL);
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    volatile char *f = malloc(9009);
    f[0] = 1;
    if (strcmp(mode, "crash") == 0) *(volatile int *)0 = 1;
    return atoi(mode);
}
