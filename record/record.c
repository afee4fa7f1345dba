/*
 * libmemsrecord.so: the interposition library of `mems record` (record/record.ts). Loaded with
 * LD_PRELOAD, it logs every malloc, calloc, realloc, reallocarray, free, posix_memalign, aligned_alloc,
 * memalign, valloc and pvalloc of the program as malloc-lab trace lines (`a ID SIZE`, `f ID`,
 * `r ID SIZE`) and passes each call on to the real function (dlsym(RTLD_NEXT)).
 *
 * - IDs are per live pointer: a pointer gets the lowest free ID when it is handed out, keeps it
 *   through realloc, and gives it back when freed. A free of a pointer never seen is counted (in the
 *   log's header) and dropped. Aligned allocations are logged as plain sizes (the trace format has no
 *   alignment).
 * - Calls from all threads are serialized by one lock, held across the real call and its line, so
 *   the order of the lines is an order the calls really happened in.
 * - Every process that loads the library writes its own log, DIR/PID.log (DIR/PID-N.log for the
 *   N-th program exec'd into the same process), DIR being $MEMS_RECORD_DIR. A fork's child stops
 *   recording (pthread_atfork): its calls are not the parent's; after an exec the new program records
 *   into its own log.
 * - The library never calls malloc: its tables and the log are mmap'd, the log is a MAP_SHARED
 *   mapping of the file, so what was logged is in the file even when the program is killed. The
 *   unused tail of the file is zero bytes; the reader stops at the first one.
 * - dlsym may call calloc before the real functions are known: those calls are served from a static
 *   buffer, never freed.
 *
 * The log: a 4096-byte header of comment lines (#mems-record 1, #unknown-frees N, #error N,
 * #exe PATH, #cmdline ARGS), padded with spaces, then one operation per line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_BYTES 4096
#define WINDOW_BYTES (4u << 20)
#define UNKNOWN_OFFSET 30 /* "#mems-record 1\n#unknown-frees " */
#define UNKNOWN_DIGITS 20
#define ERROR_OFFSET 58 /* after "...\n#error " */

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);

/* ---- bootstrap: what dlsym allocates before the real functions are known ---- */

static _Alignas(16) char boot[1 << 16];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t bytes) {
    size_t rounded = (bytes + 15) & ~(size_t)15;
    if (rounded > sizeof boot - boot_used) return NULL;
    void *p = boot + boot_used;
    boot_used += rounded;
    return p; /* static memory: already zero, never reused */
}

static int is_boot(const void *p) { return (const char *)p >= boot && (const char *)p < boot + sizeof boot; }

static void resolve(void) {
    if (real_malloc != NULL) return;
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc"); /* last: its being set means all are */
    resolving = 0;
}

/* ---- state ---- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int busy __attribute__((tls_model("initial-exec"))); /* inside the recorder: pass calls through */
static int recording;      /* 1 while this process writes its log */
static int started;        /* start() has run */
static int fd = -1;
static dev_t log_device;    /* the log's identity: a program that closes our descriptor and reuses */
static ino_t log_inode;     /* its number must never see its own file truncated */
static char *header;       /* the log's first page, mapped for good */
static char *window;       /* the mapped part of the log being written */
static uint64_t window_start, position; /* file offsets */
static uint64_t unknown_frees;

/* Pointer -> ID: open addressing with linear probing, in mmap'd memory. */
typedef struct {
    uintptr_t key; /* 0: empty */
    uint64_t id;
} entry;
static entry *table;
static uint64_t table_slots, table_used;

/* Free IDs, a stack in mmap'd memory; next_id is the lowest ID never handed out. */
static uint64_t *free_ids;
static uint64_t free_capacity, free_count, next_id;

static void *map_zeroed(size_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* ---- the log ---- */

static void put_digits(char *at, uint64_t value, int width) {
    for (int i = width - 1; i >= 0; i--) {
        at[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* Stops recording for good and says so in the header (the calls go on unrecorded). */
static void give_up(void) {
    recording = 0;
    if (header != NULL) header[ERROR_OFFSET] = '1';
}

static int map_window(uint64_t start) {
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_dev != log_device || st.st_ino != log_inode) return -1;
    if (ftruncate(fd, (off_t)(start + WINDOW_BYTES)) != 0) return -1;
    void *p = mmap(NULL, WINDOW_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
    if (p == MAP_FAILED) return -1;
    window = p;
    window_start = start;
    return 0;
}

static void write_bytes(const char *text, size_t length) {
    while (length > 0) {
        if (position == window_start + WINDOW_BYTES) {
            munmap(window, WINDOW_BYTES);
            window = NULL;
            if (map_window(position) != 0) {
                give_up();
                return;
            }
        }
        size_t room = (size_t)(window_start + WINDOW_BYTES - position);
        size_t n = length < room ? length : room;
        memcpy(window + (position - window_start), text, n);
        position += n;
        text += n;
        length -= n;
    }
}

static char *put_number(char *at, uint64_t value) {
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) *at++ = digits[--n];
    return at;
}

/* One line: `a ID SIZE`, `r ID SIZE` or `f ID`. */
static void log_line(char op, uint64_t id, int with_size, uint64_t size) {
    char line[48];
    char *at = line;
    *at++ = op;
    *at++ = ' ';
    at = put_number(at, id);
    if (with_size) {
        *at++ = ' ';
        at = put_number(at, size);
    }
    *at++ = '\n';
    write_bytes(line, (size_t)(at - line));
}

/* ---- pointer table and IDs ---- */

static uint64_t slot_of(uintptr_t key, uint64_t slots) { return ((uint64_t)(key >> 4) * 0x9E3779B97F4A7C15ull) >> 20 & (slots - 1); }

static int grow_table(void) {
    uint64_t slots = table_slots ? table_slots * 2 : 1u << 16;
    entry *bigger = map_zeroed(slots * sizeof *bigger);
    if (bigger == NULL) return -1;
    for (uint64_t i = 0; i < table_slots; i++) {
        if (table[i].key == 0) continue;
        uint64_t s = slot_of(table[i].key, slots);
        while (bigger[s].key != 0) s = (s + 1) & (slots - 1);
        bigger[s] = table[i];
    }
    if (table != NULL) munmap(table, table_slots * sizeof *table);
    table = bigger;
    table_slots = slots;
    return 0;
}

static int put(uintptr_t key, uint64_t id) {
    if ((table_used + 1) * 2 > table_slots && grow_table() != 0) return -1;
    uint64_t s = slot_of(key, table_slots);
    while (table[s].key != 0 && table[s].key != key) s = (s + 1) & (table_slots - 1);
    if (table[s].key == 0) table_used++;
    table[s].key = key;
    table[s].id = id;
    return 0;
}

/* Removes key; returns its ID, or -1 when it is not in the table. */
static int64_t take(uintptr_t key) {
    if (table_slots == 0) return -1;
    uint64_t s = slot_of(key, table_slots);
    while (table[s].key != key) {
        if (table[s].key == 0) return -1;
        s = (s + 1) & (table_slots - 1);
    }
    int64_t id = (int64_t)table[s].id;
    /* backward-shift deletion keeps every probe chain unbroken without tombstones */
    uint64_t hole = s;
    for (uint64_t next = (s + 1) & (table_slots - 1); table[next].key != 0; next = (next + 1) & (table_slots - 1)) {
        uint64_t home = slot_of(table[next].key, table_slots);
        if (((next - home) & (table_slots - 1)) >= ((next - hole) & (table_slots - 1))) {
            table[hole] = table[next];
            hole = next;
        }
    }
    table[hole].key = 0;
    table_used--;
    return id;
}

static uint64_t new_id(void) { return free_count > 0 ? free_ids[--free_count] : next_id++; }

static void release_id(uint64_t id) {
    if (free_count == free_capacity) {
        uint64_t capacity = free_capacity ? free_capacity * 2 : 1u << 14;
        uint64_t *bigger = map_zeroed(capacity * sizeof *bigger);
        if (bigger == NULL) {
            give_up();
            return;
        }
        if (free_ids != NULL) {
            memcpy(bigger, free_ids, free_count * sizeof *free_ids);
            munmap(free_ids, free_capacity * sizeof *free_ids);
        }
        free_ids = bigger;
        free_capacity = capacity;
    }
    free_ids[free_count++] = id;
}

/* ---- what each call logs (the lock is held) ---- */

static void logged_alloc(void *p, uint64_t size) {
    if (p == NULL || !recording) return;
    uint64_t id = new_id();
    if (put((uintptr_t)p, id) != 0) {
        give_up();
        return;
    }
    log_line('a', id, 1, size);
}

static void count_unknown(void) {
    unknown_frees++;
    put_digits(header + UNKNOWN_OFFSET, unknown_frees, UNKNOWN_DIGITS);
}

static void logged_free(void *p) {
    if (!recording) return;
    int64_t id = take((uintptr_t)p);
    if (id < 0) {
        count_unknown();
        return;
    }
    log_line('f', (uint64_t)id, 0, 0);
    release_id((uint64_t)id);
}

/* realloc(p, size) returned q (p and q not NULL, size not 0). */
static void logged_move(void *p, void *q, uint64_t size) {
    if (!recording) return;
    int64_t id = take((uintptr_t)p);
    if (id < 0) {
        count_unknown();
        logged_alloc(q, size);
        return;
    }
    if (put((uintptr_t)q, (uint64_t)id) != 0) {
        give_up();
        return;
    }
    log_line('r', (uint64_t)id, 1, size);
}

/* ---- start, fork ---- */

static void before_fork(void) {
    if (recording) pthread_mutex_lock(&lock);
}

static void after_fork_parent(void) {
    if (recording) pthread_mutex_unlock(&lock);
}

static void after_fork_child(void) {
    if (!recording) return;
    recording = 0; /* the child is not the program being recorded */
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    lock = fresh;
}

static size_t append(char *to, size_t at, size_t limit, const char *text, size_t length) {
    for (size_t i = 0; i < length && at < limit; i++) to[at++] = text[i] == '\n' || text[i] == '\0' ? ' ' : text[i];
    return at;
}

static void write_header(void) {
    static const char fixed[] = "#mems-record 1\n#unknown-frees 00000000000000000000\n#error 0\n#exe ";
    memset(header, ' ', HEADER_BYTES);
    memcpy(header, fixed, sizeof fixed - 1);
    size_t at = sizeof fixed - 1, limit = HEADER_BYTES - 1;
    char text[2048];
    ssize_t n = readlink("/proc/self/exe", text, sizeof text);
    if (n > 0) at = append(header, at, limit - 64, text, (size_t)n);
    static const char cmdline_label[] = "\n#cmdline ";
    for (size_t i = 0; i < sizeof cmdline_label - 1 && at < limit; i++) header[at++] = cmdline_label[i];
    int cmdline = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (cmdline >= 0) {
        n = read(cmdline, text, sizeof text);
        close(cmdline);
        if (n > 0) {
            if (text[n - 1] == '\0') n--;
            at = append(header, at, limit, text, (size_t)n);
        }
    }
    header[HEADER_BYTES - 1] = '\n';
}

/* DIR/PID.log, or DIR/PID-N.log when a program exec'd earlier into this process has PID.log. */
static int open_log(const char *dir) {
    char path[4096];
    size_t length = strlen(dir);
    if (length > sizeof path - 64) return -1;
    memcpy(path, dir, length);
    path[length++] = '/';
    char *tail = put_number(path + length, (uint64_t)getpid());
    for (uint64_t n = 1; n < 1000; n++) {
        char *end = tail;
        if (n > 1) {
            *end++ = '-';
            end = put_number(end, n);
        }
        memcpy(end, ".log", 5);
        int opened = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (opened >= 0 || errno != EEXIST) return opened;
    }
    return -1;
}

/* Opens the log when $MEMS_RECORD_DIR is set; called once, before any call is logged. */
static void start(void) {
    if (started) return;
    started = 1;
    const char *dir = getenv("MEMS_RECORD_DIR");
    if (dir == NULL || dir[0] == '\0') return;
    int opened = open_log(dir);
    if (opened < 0) return;
    /* Far from the low numbers a program opens and closes (and then reuses), where that is allowed. */
    fd = fcntl(opened, F_DUPFD_CLOEXEC, 512);
    if (fd < 0) fd = opened;
    else close(opened);
    struct stat st;
    if (fstat(fd, &st) != 0) return;
    log_device = st.st_dev;
    log_inode = st.st_ino;
    if (ftruncate(fd, HEADER_BYTES) != 0) return;
    void *p = mmap(NULL, HEADER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return;
    header = p;
    write_header();
    position = HEADER_BYTES;
    if (map_window(HEADER_BYTES) != 0 || grow_table() != 0) {
        give_up();
        return;
    }
    recording = 1;
    busy = 1; /* pthread_atfork may allocate */
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    busy = 0;
}

__attribute__((constructor)) static void on_load(void) {
    resolve();
    start();
}

/* Enters the recorder: 1 when this call is to be logged (the lock is then held). */
static int enter(void) {
    if (busy) return 0;
    if (!started) start();
    if (!recording) return 0;
    busy = 1;
    pthread_mutex_lock(&lock);
    return 1;
}

static void leave(void) {
    pthread_mutex_unlock(&lock);
    busy = 0;
}

/* ---- the interposed functions ---- */

void *malloc(size_t size) {
    if (real_malloc == NULL) {
        if (resolving) return boot_alloc(size);
        resolve();
    }
    if (!enter()) return real_malloc(size);
    void *p = real_malloc(size);
    logged_alloc(p, size);
    leave();
    return p;
}

void *calloc(size_t count, size_t size) {
    if (real_malloc == NULL) {
        if (resolving) {
            size_t bytes;
            return __builtin_mul_overflow(count, size, &bytes) ? NULL : boot_alloc(bytes);
        }
        resolve();
    }
    if (!enter()) return real_calloc(count, size);
    void *p = real_calloc(count, size);
    logged_alloc(p, (uint64_t)count * size);
    leave();
    return p;
}

void free(void *p) {
    if (p == NULL || is_boot(p)) return;
    if (real_malloc == NULL) resolve();
    if (!enter()) {
        real_free(p);
        return;
    }
    logged_free(p);
    real_free(p);
    leave();
}

/* realloc and reallocarray once the new size is known (and did not overflow). */
static void *moved(void *p, size_t size, void *q) {
    if (p == NULL) {
        logged_alloc(q, size);
    } else if (size == 0) {
        if (q == NULL) logged_free(p); /* glibc's realloc(p, 0) frees p */
        else logged_move(p, q, size);
    } else if (q != NULL) {
        logged_move(p, q, size);
    }
    return q;
}

/* A block of the bootstrap buffer moved to the real heap (its size is unknown: copy what fits). */
static void *from_boot(void *p, size_t size) {
    void *q = malloc(size);
    if (q != NULL) {
        size_t available = (size_t)(boot + sizeof boot - (char *)p);
        memcpy(q, p, size < available ? size : available);
    }
    return q;
}

void *realloc(void *p, size_t size) {
    if (p != NULL && is_boot(p)) return from_boot(p, size);
    if (real_malloc == NULL) resolve();
    if (!enter()) return real_realloc(p, size);
    void *q = moved(p, size, real_realloc(p, size));
    leave();
    return q;
}

void *reallocarray(void *p, size_t count, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (p != NULL && is_boot(p)) return from_boot(p, bytes);
    if (real_malloc == NULL) resolve();
    if (!enter()) return real_reallocarray(p, count, size);
    void *q = moved(p, bytes, real_reallocarray(p, count, size));
    leave();
    return q;
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (real_malloc == NULL) resolve();
    if (!enter()) return real_posix_memalign(out, alignment, size);
    int result = real_posix_memalign(out, alignment, size);
    if (result == 0) logged_alloc(*out, size);
    leave();
    return result;
}

#define ALIGNED(name, params, args, size)              \
    void *name params {                                \
        if (real_malloc == NULL) resolve();            \
        if (!enter()) return real_##name args;         \
        void *p = real_##name args;                    \
        logged_alloc(p, size);                         \
        leave();                                       \
        return p;                                      \
    }

ALIGNED(aligned_alloc, (size_t alignment, size_t size), (alignment, size), size)
ALIGNED(memalign, (size_t alignment, size_t size), (alignment, size), size)
ALIGNED(valloc, (size_t size), (size), size)
ALIGNED(pvalloc, (size_t size), (size), size)
