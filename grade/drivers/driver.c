/*
 * driver.c: runs one grading scenario through a submission's mems.h, by the course's API only
 * (mems_init, mems_finish, mems_malloc, mems_free, mems_print_stats, mems_get), for `mems grade`.
 *
 * Built by grade/build.ts as
 *   gcc -Dmain=mems_student_main -I SUBMISSION driver.c [mems.c ...] -lm -Wl,--wrap=mmap,--wrap=munmap
 * so a `main` in the submission's header is renamed away (ours is defined after `#undef main`), and the
 * submission's own mmap/munmap calls (and only theirs: libc's internal ones do not go through the
 * linker's symbol) pass through the wrappers below, which check their lengths and what stays mapped.
 *
 * Usage: driver SCENARIO [p]      (p: the pattern check of every live block after every operation)
 *        driver --speed OPS REPEAT (quiet timing of a/f lines: prints "@@ns-per-op N")
 * A scenario has one operation a line:
 *   a ID SIZE      ID := mems_malloc(SIZE)          prints "@@= ADDRESS" (decimal) or "@@= null"
 *   f ID           mems_free(ID's address)
 *   F OFFSET       mems_free(start + OFFSET), start being the first address of the system
 *   w ID OFF VAL   the int VAL written at mems_get(ID's address + OFF)
 *   g ID OFF       prints "@@value N", the int read at mems_get(ID's address + OFF)
 *   s              mems_print_stats()
 *   x              mems_finish(), then mems_init(): the system starts over
 * Before each operation the driver prints "@@ INDEX LINE" on a line of its own, and "@@end" after the
 * last (after the closing mems_finish): the grader knows which operation a crash or a hang was in.
 * stdout is line-buffered, so a crash loses nothing printed before it. Findings of the driver's own
 * checks are lines "@@os ..." (mmap/munmap) and "@@get ..." (the pattern check).
 */
#include "mems.h"
#undef main

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>

#define GRADE_IDS 4096
#define GRADE_MAPPINGS 8192
#define GRADE_LINE 256

static unsigned long grade_page_size(void) {
#ifdef PAGE_SIZE
    return (unsigned long)(PAGE_SIZE);
#else
    return 4096;
#endif
}

/* ---- mmap and munmap as the submission calls them ---------------------------------------------- */

static struct {
    uintptr_t start;
    size_t length;
} grade_mappings[GRADE_MAPPINGS];
static int grade_mapping_count = 0;
static int grade_os_reports = 0;

static void grade_os_report(const char *what, unsigned long a, unsigned long b) {
    if (grade_os_reports++ >= 5) return; /* the first few say enough */
    printf("\n@@os %s %lu %lu\n", what, a, b);
}

void *__real_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int __real_munmap(void *addr, size_t length);

void *__wrap_mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
    void *p = __real_mmap(addr, length, prot, flags, fd, offset);
    if (length % grade_page_size() != 0) grade_os_report("mmap-length", (unsigned long)length, grade_page_size());
    if (p != MAP_FAILED && grade_mapping_count < GRADE_MAPPINGS) {
        grade_mappings[grade_mapping_count].start = (uintptr_t)p;
        grade_mappings[grade_mapping_count].length = length;
        grade_mapping_count++;
    }
    return p;
}

int __wrap_munmap(void *addr, size_t length) {
    uintptr_t a = (uintptr_t)addr;
    if (length % grade_page_size() != 0) grade_os_report("munmap-length", (unsigned long)length, grade_page_size());
    int whole = 0;
    for (int i = 0; i < grade_mapping_count; i++) {
        if (grade_mappings[i].start == a && grade_mappings[i].length == length) {
            grade_mappings[i] = grade_mappings[--grade_mapping_count];
            whole = 1;
            break;
        }
    }
    if (!whole) grade_os_report("munmap-part", (unsigned long)length, 0);
    return __real_munmap(addr, length);
}

/* What the submission mapped and still holds: reported after each mems_finish. */
static void grade_check_unmapped(void) {
    if (grade_mapping_count == 0) return;
    unsigned long bytes = 0;
    for (int i = 0; i < grade_mapping_count; i++) bytes += grade_mappings[i].length;
    printf("\n@@os still-mapped %d %lu\n", grade_mapping_count, bytes);
    grade_mapping_count = 0; /* said once per finish */
}

/* ---- blocks and their patterns ----------------------------------------------------------------- */

static uintptr_t grade_address[GRADE_IDS];
static size_t grade_size[GRADE_IDS];
static int grade_live[GRADE_IDS];
static int grade_allocated[GRADE_IDS];
static uintptr_t grade_start = 0;
static int grade_start_known = 0;

static unsigned char grade_pattern(int id, size_t offset) {
    return (unsigned char)(id * 131 + offset * 7 + 17);
}

/* Writes the pattern into every byte of block id through mems_get, byte by byte. */
static void grade_fill(int id) {
    for (size_t i = 0; i < grade_size[id]; i++) {
        unsigned char *p = (unsigned char *)mems_get((void *)(grade_address[id] + i));
        if (p == NULL) {
            printf("\n@@get null %d %lu\n", id, (unsigned long)i);
            return;
        }
        *p = grade_pattern(id, i);
    }
}

/* Reads every byte of every live block back through mems_get; says the first that is wrong. */
static void grade_verify(void) {
    for (int id = 0; id < GRADE_IDS; id++) {
        if (!grade_live[id]) continue;
        for (size_t i = 0; i < grade_size[id]; i++) {
            unsigned char *p = (unsigned char *)mems_get((void *)(grade_address[id] + i));
            if (p == NULL) {
                printf("\n@@get null %d %lu\n", id, (unsigned long)i);
                return;
            }
            if (*p != grade_pattern(id, i)) {
                printf("\n@@get changed %d %lu\n", id, (unsigned long)i);
                return;
            }
        }
    }
}

/* ---- operations -------------------------------------------------------------------------------- */

static int grade_id(long id) {
    if (id < 0 || id >= GRADE_IDS) {
        fprintf(stderr, "driver: id %ld out of range\n", id);
        exit(3);
    }
    return (int)id;
}

static void grade_malloc(int id, size_t size, int patterns) {
    void *v = mems_malloc(size);
    if (v == NULL) {
        printf("\n@@= null\n");
        grade_live[id] = 0;
        return;
    }
    uintptr_t address = (uintptr_t)v;
    printf("\n@@= %lu\n", (unsigned long)address);
    if (!grade_start_known) {
        grade_start = address;
        grade_start_known = 1;
    }
    grade_address[id] = address;
    grade_size[id] = size;
    grade_live[id] = 1;
    grade_allocated[id] = 1;
    if (patterns) grade_fill(id);
}

static void grade_free(int id) {
    if (!grade_allocated[id]) return;
    mems_free((void *)grade_address[id]);
    grade_live[id] = 0;
}

static void grade_write(int id, size_t offset, int value) {
    int *p = (int *)mems_get((void *)(grade_address[id] + offset));
    if (p == NULL) printf("\n@@get null %d %lu\n", id, (unsigned long)offset);
    else *p = value;
}

static void grade_read(int id, size_t offset) {
    int *p = (int *)mems_get((void *)(grade_address[id] + offset));
    if (p == NULL) printf("\n@@get null %d %lu\n", id, (unsigned long)offset);
    else printf("\n@@value %d\n", *p);
}

static void grade_restart(void) {
    mems_finish();
    grade_check_unmapped();
    memset(grade_live, 0, sizeof grade_live);
    memset(grade_allocated, 0, sizeof grade_allocated);
    grade_start_known = 0;
    mems_init();
}

/* One line of a scenario; returns 0 for a line it cannot read. */
static int grade_step(const char *line, int patterns) {
    long id = 0, size = 0, value = 0;
    switch (line[0]) {
    case 'a':
        if (sscanf(line + 1, "%ld %ld", &id, &size) != 2) return 0;
        grade_malloc(grade_id(id), (size_t)size, patterns);
        return 1;
    case 'f':
        if (sscanf(line + 1, "%ld", &id) != 1) return 0;
        grade_free(grade_id(id));
        return 1;
    case 'F':
        if (sscanf(line + 1, "%ld", &size) != 1) return 0;
        mems_free((void *)(grade_start + (uintptr_t)size));
        return 1;
    case 'w':
        if (sscanf(line + 1, "%ld %ld %ld", &id, &size, &value) != 3) return 0;
        grade_write(grade_id(id), (size_t)size, (int)value);
        return 1;
    case 'g':
        if (sscanf(line + 1, "%ld %ld", &id, &size) != 2) return 0;
        grade_read(grade_id(id), (size_t)size);
        return 1;
    case 's':
        mems_print_stats();
        return 1;
    case 'x':
        grade_restart();
        return 1;
    default:
        return 0;
    }
}

static int grade_scenario(const char *file, int patterns) {
    FILE *in = fopen(file, "r");
    if (in == NULL) {
        perror(file);
        return 3;
    }
    char line[GRADE_LINE];
    int index = 0;
    mems_init();
    while (fgets(line, sizeof line, in) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') continue;
        printf("\n@@ %d %s\n", index, line);
        if (!grade_step(line, patterns)) {
            fprintf(stderr, "driver: bad line %d: %s\n", index, line);
            return 3;
        }
        if (patterns) grade_verify();
        index++;
    }
    fclose(in);
    printf("\n@@ %d end\n", index);
    mems_finish();
    grade_check_unmapped();
    printf("\n@@end\n");
    return 0;
}

/* ---- speed ------------------------------------------------------------------------------------- */

static double grade_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Replays the a/f lines of `file` `repeat` times, timed; each round starts from an empty system. */
static int grade_speed(const char *file, int repeat) {
    FILE *in = fopen(file, "r");
    if (in == NULL) {
        perror(file);
        return 3;
    }
    static char ops[1 << 20];
    static long args[1 << 20][2];
    long count = 0;
    char line[GRADE_LINE];
    while (fgets(line, sizeof line, in) != NULL && count < (1 << 20)) {
        long id = 0, size = 0;
        if (line[0] == 'a' && sscanf(line + 1, "%ld %ld", &id, &size) == 2) ops[count] = 'a';
        else if (line[0] == 'f' && sscanf(line + 1, "%ld", &id) == 1) ops[count] = 'f';
        else continue;
        args[count][0] = grade_id(id);
        args[count][1] = size;
        count++;
    }
    fclose(in);
    double total = 0;
    for (int round = 0; round < repeat; round++) {
        mems_init();
        double begin = grade_now();
        for (long i = 0; i < count; i++) {
            int id = (int)args[i][0];
            if (ops[i] == 'a') grade_address[id] = (uintptr_t)mems_malloc((size_t)args[i][1]);
            else mems_free((void *)grade_address[id]);
        }
        total += grade_now() - begin;
        mems_finish();
    }
    printf("\n@@ns-per-op %.1f\n", count > 0 ? total / (double)(count * repeat) : 0.0);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && strcmp(argv[1], "--speed") == 0) return grade_speed(argv[2], atoi(argv[3]));
    if (argc < 2) {
        fprintf(stderr, "usage: driver SCENARIO [p] | driver --speed OPS REPEAT\n");
        return 3;
    }
    return grade_scenario(argv[1], argc > 2 && strchr(argv[2], 'p') != NULL);
}
