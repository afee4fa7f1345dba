/*
 * replay_malloc.c: glibc's malloc, called from C, replaying a trace with bun bench's replay rules
 * (bench/replay.ts), so the report can set glibc's own time beside the time of the same calls made
 * through bun:ffi (libc-ffi). The trace comes already parsed, as bench/peers/cnative.ts writes it:
 *
 *   "MEMSOPS1", u64 count, u64 slots, u8 ops[count] (padded to 8 bytes), f64 a[count], f64 b[count]
 *
 * (the parser's own typed arrays, so both sides replay exactly the same operations).
 *
 *   replay-malloc --repeat K FILE
 *
 * Replays K times and prints one JSON line: {"ops":N,"runs":[ns...],"faults":[minor faults...],"sink":S}.
 * Each run is timed around the whole replay (clock_gettime, CLOCK_MONOTONIC) and its minor page faults
 * read around it with getrusage(RUSAGE_THREAD), as the Bun side reads them. The first run is the cold
 * one: nothing has been allocated in this process before it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { OP_MALLOC = 'a', OP_FREE = 'f', OP_REALLOC = 'r', OP_WRITE = 'w', OP_GET = 'g', OP_PHYSICAL = 'p', OP_FINISH = 'x' };

typedef struct {
    uint64_t count, slots;
    uint8_t *ops;
    double *a, *b;
} trace;

typedef struct {
    void **handle;
    double *size;
    uint8_t *live;
} state;

static void die(const char *message) {
    fprintf(stderr, "replay-malloc: %s\n", message);
    exit(1);
}

static void read_trace(const char *path, trace *t) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) die("cannot open the trace");
    char magic[8];
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "MEMSOPS1", 8) != 0) die("not a MEMSOPS1 file");
    if (fread(&t->count, 8, 1, f) != 1 || fread(&t->slots, 8, 1, f) != 1) die("short header");
    size_t padded = (t->count + 7) & ~(uint64_t)7;
    t->ops = malloc(padded ? padded : 1);
    t->a = malloc(t->count ? t->count * 8 : 8);
    t->b = malloc(t->count ? t->count * 8 : 8);
    if (t->ops == NULL || t->a == NULL || t->b == NULL) die("out of memory reading the trace");
    if (fread(t->ops, 1, padded, f) != padded || fread(t->a, 8, t->count, f) != t->count ||
        fread(t->b, 8, t->count, f) != t->count)
        die("short file");
    fclose(f);
}

static void finish(state *s, uint64_t slots) {
    for (uint64_t slot = 0; slot < slots; slot++) {
        if (!s->live[slot]) continue;
        free(s->handle[slot]);
        s->live[slot] = 0;
    }
}

static void *must(void *p) {
    if (p == NULL) die("malloc returned NULL");
    return p;
}

/* One replay, as bench/replay.ts's replayOnce: returns the sum of the translated addresses. */
static uintptr_t replay(const trace *t, state *s) {
    uintptr_t sink = 0;
    for (uint64_t i = 0; i < t->count; i++) {
        long slot = (long)t->a[i];
        double bytes = t->b[i];
        switch (t->ops[i]) {
        case OP_MALLOC:
            if (s->live[slot]) free(s->handle[slot]);
            if (bytes == 0) {
                s->live[slot] = 0;
            } else {
                s->handle[slot] = must(malloc((size_t)bytes));
                s->size[slot] = bytes;
                s->live[slot] = 1;
            }
            break;
        case OP_FREE:
            if (slot >= 0 && s->live[slot]) {
                free(s->handle[slot]);
                s->live[slot] = 0;
            }
            break;
        case OP_REALLOC:
            if (!s->live[slot]) {
                if (bytes > 0) {
                    s->handle[slot] = must(malloc((size_t)bytes));
                    s->size[slot] = bytes;
                    s->live[slot] = 1;
                }
            } else if (bytes == 0) {
                free(s->handle[slot]);
                s->live[slot] = 0;
            } else {
                s->handle[slot] = must(realloc(s->handle[slot], (size_t)bytes));
                s->size[slot] = bytes;
            }
            break;
        case OP_WRITE:
        case OP_GET:
        case OP_PHYSICAL:
            if (s->live[slot]) sink += (uintptr_t)s->handle[slot] + (uintptr_t)bytes;
            break;
        case OP_FINISH:
            finish(s, t->slots);
            break;
        default:
            break;
        }
    }
    if (t->count == 0 || t->ops[t->count - 1] != OP_FINISH) finish(s, t->slots);
    return sink;
}

static long minor_faults(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_THREAD, &usage) != 0) die("getrusage failed");
    return usage.ru_minflt;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4 || strcmp(argv[1], "--repeat") != 0) {
        fprintf(stderr, "usage: replay-malloc --repeat K FILE\n");
        return 2;
    }
    int repeat = atoi(argv[2]);
    if (repeat < 1) {
        fprintf(stderr, "replay-malloc: --repeat must be >= 1\n");
        return 2;
    }
    trace t;
    read_trace(argv[3], &t);
    state s;
    uint64_t slots = t.slots ? t.slots : 1;
    s.handle = calloc(slots, sizeof *s.handle);
    s.size = calloc(slots, sizeof *s.size);
    s.live = calloc(slots, 1);
    int64_t *runs = calloc((size_t)repeat, sizeof *runs);
    long *faults = calloc((size_t)repeat, sizeof *faults);
    if (s.handle == NULL || s.size == NULL || s.live == NULL || runs == NULL || faults == NULL) die("out of memory");
    uintptr_t sink = 0;
    for (int run = 0; run < repeat; run++) {
        long faults_before = minor_faults();
        int64_t start = now_ns();
        sink += replay(&t, &s);
        runs[run] = now_ns() - start;
        faults[run] = minor_faults() - faults_before;
    }
    printf("{\"ops\":%llu,\"runs\":[", (unsigned long long)t.count);
    for (int run = 0; run < repeat; run++) printf("%s%lld", run ? "," : "", (long long)runs[run]);
    printf("],\"faults\":[");
    for (int run = 0; run < repeat; run++) printf("%s%ld", run ? "," : "", faults[run]);
    printf("],\"sink\":%llu}\n", (unsigned long long)(sink & 0xffffffffffffull));
    free(t.ops);
    free(t.a);
    free(t.b);
    free(s.handle);
    free(s.size);
    free(s.live);
    free(runs);
    free(faults);
    return 0;
}
