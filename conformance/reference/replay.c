/*
 * replay.c: runs a MeMS scenario (.mtrace) or a CS:APP malloc-lab trace (.rep) against mems.h,
 * following docs/trace-format.md; its output matches the TypeScript runner byte for byte.
 *
 *   replay [--page-size N] [--start N] [--align N] [--final-stats] [--check] [--bench] [--repeat K] FILE
 *
 * The whole file is parsed first; a bad line prints `FILE:LINE: message` on stderr and exits 2
 * with nothing run. Directives in the file win over the options; defaults are 4096 and 1000.
 * Alignment is fixed when the program is built (mems.h's MEMS_ALIGN: `replay` has 1, `replay-align8`
 * 8, ...): an `@align` directive or `--align` option that asks for another one exits 2, naming it.
 * --final-stats prints the stats block after the last operation, before the closing mems_finish.
 * --check walks the whole heap (mems_check_invariants) after every operation; a broken invariant
 * exits 3. --bench replays quietly K times (--repeat, default 1) and prints one JSON line of timings.
 *
 * The runner uses libc's heap for its own parsing (never inside mems.h) and releases all of it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "mems.h"

/* ===================================================================================== */
/* Parsed scenario                                                                       */
/* ===================================================================================== */

typedef struct {
    char op;        /* a f r w g v p s x F P e */
    int line;       /* 1-based, for messages */
    long id;        /* dense index into the ID table; -1 for `f -1` or when unused */
    int64_t arg1;   /* SIZE (a, r), OFFSET (w, g, p), VADDR (F, P) */
    int64_t arg2;   /* VALUE (w) */
    char *text;     /* g's label, e's text; owned */
} operation;

typedef struct {
    operation *ops;
    size_t count, capacity;
    long id_count;              /* distinct IDs */
    int64_t page_size, start;   /* -1 when the file says nothing */
    int64_t align;              /* -1 when the file says nothing */
    int align_line;             /* the line of its @align */
} scenario;

/* ===================================================================================== */
/* Small helpers                                                                         */
/* ===================================================================================== */

static void *checked_alloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (p == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(1); }
    return p;
}

static void *checked_grow(void *p, size_t bytes) {
    void *q = realloc(p, bytes);
    if (q == NULL) { fprintf(stderr, "replay: out of memory\n"); exit(1); }
    return q;
}

static char *copy_string(const char *s, size_t n) {
    char *c = checked_alloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* Parses a decimal integer: digits, with one leading '-' only if allow_negative.
 * Returns 0 on success, -1 if it is not a decimal integer, -2 if it does not fit in 64 bits. */
static int parse_integer(const char *text, int allow_negative, int64_t *out) {
    const char *p = text;
    int negative = 0;
    if (*p == '-' && allow_negative) { negative = 1; p++; }
    if (*p == '\0') return -1;
    uint64_t value = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10) return -2;
        value = value * 10 + digit;
    }
    /* The TypeScript runner holds numbers as doubles: both refuse magnitudes beyond 2^53 - 1. */
    if (value > ((uint64_t)1 << 53) - 1) return -2;
    *out = negative ? (int64_t)(0 - value) : (int64_t)value;
    return 0;
}

/* ===================================================================================== */
/* ID table: maps scenario IDs (any 64-bit value >= 0) to dense indexes, tracking for each */
/* the size from its latest a/r line (for the parse-time bounds check)                   */
/* ===================================================================================== */

typedef struct {
    int64_t *keys;     /* open addressing; -1 marks an empty slot */
    long *index;
    int64_t *size;     /* per dense index */
    size_t slots, used;
} id_table;

static void id_table_init(id_table *t) {
    t->slots = 1024;
    t->used = 0;
    t->keys = checked_alloc(t->slots * sizeof *t->keys);
    t->index = checked_alloc(t->slots * sizeof *t->index);
    t->size = checked_alloc(t->slots * sizeof *t->size);
    for (size_t i = 0; i < t->slots; i++) t->keys[i] = -1;
}

static void id_table_release(id_table *t) {
    free(t->keys);
    free(t->index);
    free(t->size);
}

static size_t id_table_slot(const id_table *t, int64_t key) {
    size_t h = (size_t)((uint64_t)key * 0x9E3779B97F4A7C15ull) & (t->slots - 1);
    while (t->keys[h] != -1 && t->keys[h] != key) h = (h + 1) & (t->slots - 1);
    return h;
}

/* The dense index of key, or -1 if absent. */
static long id_table_find(const id_table *t, int64_t key) {
    size_t h = id_table_slot(t, key);
    return t->keys[h] == key ? t->index[h] : -1;
}

static long id_table_add(id_table *t, int64_t key) {
    size_t h = id_table_slot(t, key);
    if (t->keys[h] == key) return t->index[h];
    if ((t->used + 1) * 2 > t->slots) {
        id_table bigger;
        bigger.slots = t->slots * 2;
        bigger.used = t->used;
        bigger.keys = checked_alloc(bigger.slots * sizeof *bigger.keys);
        bigger.index = checked_alloc(bigger.slots * sizeof *bigger.index);
        bigger.size = checked_grow(t->size, bigger.slots * sizeof *bigger.size);
        for (size_t i = 0; i < bigger.slots; i++) bigger.keys[i] = -1;
        for (size_t i = 0; i < t->slots; i++) {
            if (t->keys[i] == -1) continue;
            size_t g = id_table_slot(&bigger, t->keys[i]);
            bigger.keys[g] = t->keys[i];
            bigger.index[g] = t->index[i];
        }
        free(t->keys);
        free(t->index);
        *t = bigger;
        h = id_table_slot(t, key);
    }
    t->keys[h] = key;
    t->index[h] = (long)t->used;
    t->size[t->used] = 0;
    return (long)t->used++;
}

/* ===================================================================================== */
/* Parser                                                                                */
/* ===================================================================================== */

#define MAX_FIELDS 256

typedef struct {
    const char *file_name;
    int line;
    char message[256];
} parse_error;

static int fail(parse_error *err, int line, const char *format, ...) {
    va_list args;
    va_start(args, format);
    err->line = line;
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
    return -1;
}

/* Splits line (modified in place) into fields at spaces and tabs. Returns the field count,
 * or MAX_FIELDS + 1 if there are more (only g and e take free text; e is handled raw). */
static int split_fields(char *line, char **fields) {
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\0') return n;
        if (n == MAX_FIELDS) return MAX_FIELDS + 1;
        fields[n++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        if (*p) *p++ = '\0';
    }
}

static int is_bare_integer_line(const char *line) {
    while (*line == ' ' || *line == '\t') line++;
    if (*line == '-') line++;
    if (*line < '0' || *line > '9') return 0;
    while (*line >= '0' && *line <= '9') line++;
    while (*line == ' ' || *line == '\t') line++;
    return *line == '\0';
}

static operation *push_op(scenario *sc, char op, int line) {
    if (sc->count == sc->capacity) {
        sc->capacity = sc->capacity ? sc->capacity * 2 : 256;
        sc->ops = checked_grow(sc->ops, sc->capacity * sizeof *sc->ops);
    }
    operation *o = &sc->ops[sc->count++];
    memset(o, 0, sizeof *o);
    o->op = op;
    o->line = line;
    o->id = -1;
    return o;
}

/* Reads a number field; on failure records the error. */
static int number_field(parse_error *err, int line, const char *field, int allow_negative,
                        const char *what, int64_t *out) {
    int r = parse_integer(field, allow_negative, out);
    if (r == -1) return fail(err, line, "%s is not a decimal integer: '%s'", what, field);
    if (r == -2) return fail(err, line, "%s out of range: '%s'", what, field);
    return 0;
}

typedef struct {
    int malloc_lab;
    int64_t header_ids;      /* malloc-lab: number of IDs */
    id_table ids;
    char *has_allocation;    /* per dense index: an a/r line came earlier */
    size_t has_capacity;
} parse_state;

static void mark_allocated(parse_state *ps, long index, int64_t size) {
    if ((size_t)index >= ps->has_capacity) {
        size_t old = ps->has_capacity;
        ps->has_capacity = ps->has_capacity ? ps->has_capacity * 2 : 1024;
        while ((size_t)index >= ps->has_capacity) ps->has_capacity *= 2;
        ps->has_allocation = checked_grow(ps->has_allocation, ps->has_capacity);
        memset(ps->has_allocation + old, 0, ps->has_capacity - old);
    }
    ps->has_allocation[index] = 1;
    ps->ids.size[index] = size;
}

/* Reads an ID field. For a/r (defining) the ID is registered; for the others it must have an earlier
 * a/r line. `f` alone accepts -1 (the null pointer). */
static int id_field(parse_state *ps, parse_error *err, int line, char op, const char *field, long *out) {
    int64_t id;
    if (number_field(err, line, field, 1, "ID", &id) != 0) return -1;
    if (id < 0) {
        if (id != -1 || op != 'f') return fail(err, line, "ID must be >= 0 (-1, the null pointer, only for f): '%s'", field);
        *out = -1;
        return 0;
    }
    if (ps->malloc_lab && id >= ps->header_ids)
        return fail(err, line, "ID %lld outside the header's range 0..%lld", (long long)id,
                    (long long)ps->header_ids - 1);
    if (op == 'a' || op == 'r') {
        *out = id_table_add(&ps->ids, id);
        return 0;
    }
    long index = id_table_find(&ps->ids, id);
    if (index < 0 || (size_t)index >= ps->has_capacity || !ps->has_allocation[index])
        return fail(err, line, "ID %lld used before any a/r line", (long long)id);
    *out = index;
    return 0;
}

/* Parses one operation line (fields already split; raw is the comment-stripped line for `e`). */
static int parse_operation(parse_state *ps, scenario *sc, parse_error *err, int line, char **f, int n,
                           const char *raw) {
    const char *name = f[0];
    char op = (name[0] != '\0' && name[1] == '\0') ? name[0] : '?';
    if (strchr("afrwgvpsxFPe", op) == NULL || op == '\0')
        return fail(err, line, "unknown operation '%s'", name);
    if (ps->malloc_lab && op != 'a' && op != 'f' && op != 'r')
        return fail(err, line, "operation '%s' is not allowed in a malloc-lab trace", name);

    int min = 1, max = 1;
    const char *usage = "";
    switch (op) {
    case 'a': min = max = 3; usage = "a ID SIZE"; break;
    case 'r': min = max = 3; usage = "r ID SIZE"; break;
    case 'f': min = max = 2; usage = "f ID"; break;
    case 'w': min = max = 4; usage = "w ID OFFSET VALUE"; break;
    case 'g': min = 3; max = MAX_FIELDS; usage = "g ID OFFSET [TEXT...]"; break;
    case 'v': min = max = 2; usage = "v ID"; break;
    case 'p': min = 2; max = 3; usage = "p ID [OFFSET]"; break;
    case 's': usage = "s"; break;
    case 'x': usage = "x"; break;
    case 'F': min = max = 2; usage = "F VADDR"; break;
    case 'P': min = max = 2; usage = "P VADDR"; break;
    case 'e': max = MAX_FIELDS + 1; break;
    }
    if (n < min) return fail(err, line, "missing field (expected '%s')", usage);
    if (n > max) return fail(err, line, "extra field (expected '%s')", usage);

    operation *o = push_op(sc, op, line);
    switch (op) {
    case 'a':
    case 'r':
        if (id_field(ps, err, line, op, f[1], &o->id) != 0) return -1;
        if (number_field(err, line, f[2], 1, "SIZE", &o->arg1) != 0) return -1;
        if (o->arg1 < 0) return fail(err, line, "negative size: %lld", (long long)o->arg1);
        mark_allocated(ps, o->id, o->arg1);
        break;
    case 'f':
    case 'v':
        if (id_field(ps, err, line, op, f[1], &o->id) != 0) return -1;
        break;
    case 'w':
    case 'g':
        if (id_field(ps, err, line, op, f[1], &o->id) != 0) return -1;
        if (number_field(err, line, f[2], 1, "OFFSET", &o->arg1) != 0) return -1;
        if (o->arg1 < 0 || o->arg1 > ps->ids.size[o->id] - 4)
            return fail(err, line, "OFFSET %lld: 4 bytes there do not fit in the block's %lld bytes",
                        (long long)o->arg1, (long long)ps->ids.size[o->id]);
        if (op == 'w') {
            if (number_field(err, line, f[3], 1, "VALUE", &o->arg2) != 0) return -1;
            if (o->arg2 < INT32_MIN || o->arg2 > INT32_MAX)
                return fail(err, line, "VALUE outside 32-bit signed range: %lld", (long long)o->arg2);
        } else {
            size_t length = 0;
            if (n == 3) {
                o->text = copy_string("Value:", 6);
            } else {
                for (int i = 3; i < n; i++) length += strlen(f[i]) + 1;
                o->text = checked_alloc(length);
                o->text[0] = '\0';
                for (int i = 3; i < n; i++) {
                    if (i > 3) strcat(o->text, " ");
                    strcat(o->text, f[i]);
                }
            }
        }
        break;
    case 'p':
        if (id_field(ps, err, line, op, f[1], &o->id) != 0) return -1;
        if (n == 3 && number_field(err, line, f[2], 0, "OFFSET", &o->arg1) != 0) return -1;
        break;
    case 'F':
    case 'P':
        /* any integer: a negative address is simply not found */
        if (number_field(err, line, f[1], 1, "VADDR", &o->arg1) != 0) return -1;
        break;
    case 'e': {
        /* the rest of the line after `e` and one separating space or tab, verbatim */
        const char *p = raw;
        while (*p == ' ' || *p == '\t') p++;
        p++; /* the 'e' */
        if (*p == ' ' || *p == '\t') p++;
        o->text = copy_string(p, strlen(p));
        break;
    }
    default:
        break;
    }
    return 0;
}

/* 1, 2, 4, 8 or 16: the alignments MeMS takes. */
static int is_alignment(int64_t value) {
    return value == 1 || value == 2 || value == 4 || value == 8 || value == 16;
}

/* Parses a directive line (mtrace only, before the first operation). */
static int parse_directive(scenario *sc, parse_error *err, int line, char **f, int n) {
    if (sc->count > 0) return fail(err, line, "directive %s after the first operation", f[0]);
    int is_page = strcmp(f[0], "@page_size") == 0;
    int is_align = strcmp(f[0], "@align") == 0;
    if (!is_page && !is_align && strcmp(f[0], "@start") != 0) return fail(err, line, "unknown directive '%s'", f[0]);
    if (n != 2) return fail(err, line, "%s takes exactly one number", f[0]);
    int64_t value;
    if (number_field(err, line, f[1], 1, f[0], &value) != 0) return -1;
    if (is_page) {
        if (value < 1) return fail(err, line, "@page_size must be >= 1");
        sc->page_size = value;
    } else if (is_align) {
        if (!is_alignment(value)) return fail(err, line, "@align must be 1, 2, 4, 8 or 16");
        sc->align = value;
        sc->align_line = line;
    } else {
        if (value < 0) return fail(err, line, "@start must be >= 0");
        sc->start = value;
    }
    return 0;
}

/* Parses the text of a whole file. Returns 0, or -1 with err filled. */
static int parse_scenario(char *text, size_t length, int rep_extension, scenario *sc, parse_error *err) {
    parse_state ps;
    memset(&ps, 0, sizeof ps);
    id_table_init(&ps.ids);
    char *fields[MAX_FIELDS + 1];
    int64_t header[4];
    int header_count = 0, header_ops_line = 0, decided = rep_extension;
    int result = 0, line = 0;
    ps.malloc_lab = rep_extension;

    char *p = text, *end = text + length;
    while (p < end && result == 0) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL) eol = end;
        *eol = '\0';
        line++;
        char *raw = p;
        p = eol + 1;
        size_t n = strlen(raw);
        if (n > 0 && raw[n - 1] == '\r') raw[--n] = '\0';
        char *hash = strchr(raw, '#');
        if (hash) *hash = '\0';
        char *rest = raw;
        while (*rest == ' ' || *rest == '\t') rest++;
        if (*rest == '\0') continue; /* blank */

        if (!decided) {
            decided = 1;
            ps.malloc_lab = is_bare_integer_line(raw);
        }
        if (ps.malloc_lab && header_count < 4) {
            if (!is_bare_integer_line(raw)) {
                result = fail(err, line, "malloc-lab header needs 4 numbers, found %d", header_count);
                break;
            }
            int nf = split_fields(raw, fields);
            (void)nf;
            if (number_field(err, line, fields[0], 0, "header number", &header[header_count]) != 0) {
                result = -1;
                break;
            }
            if (header_count == 2) header_ops_line = line;
            header_count++;
            if (header_count == 2) ps.header_ids = header[1];
            continue;
        }

        /* `e` needs the line before fields are split (inner whitespace is kept) */
        char *raw_copy = NULL;
        if (rest[0] == 'e' && (rest[1] == '\0' || rest[1] == ' ' || rest[1] == '\t'))
            raw_copy = copy_string(raw, strlen(raw));
        int nf = split_fields(raw, fields);
        if (fields[0][0] == '@') {
            if (ps.malloc_lab) result = fail(err, line, "directives are not allowed in a malloc-lab trace");
            else result = parse_directive(sc, err, line, fields, nf);
        } else {
            result = parse_operation(&ps, sc, err, line, fields, nf, raw_copy ? raw_copy : raw);
        }
        free(raw_copy);
    }

    if (result == 0 && ps.malloc_lab) {
        if (header_count < 4)
            result = fail(err, line > 0 ? line : 1, "malloc-lab header needs 4 numbers, found %d", header_count);
        else if ((int64_t)sc->count != header[2])
            result = fail(err, header_ops_line, "header says %lld operations, the trace has %lu",
                          (long long)header[2], (unsigned long)sc->count);
    }
    sc->id_count = (long)ps.ids.used;
    id_table_release(&ps.ids);
    free(ps.has_allocation);
    return result;
}

static void release_scenario(scenario *sc) {
    for (size_t i = 0; i < sc->count; i++) free(sc->ops[i].text);
    free(sc->ops);
}

/* ===================================================================================== */
/* Runner                                                                                */
/* ===================================================================================== */

typedef struct {
    size_t address;   /* virtual address (meaningful when !is_null) */
    int is_null;      /* never allocated, or the last malloc returned NULL */
    int live;
    size_t size;
} block;

static int out_quiet = 0; /* bench mode: the runner prints nothing either */

static void say(const char *format, ...) {
    if (out_quiet) return;
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
}

static void out_of_memory(int64_t size) {
    fflush(stdout);
    fprintf(stderr, "OUT_OF_MEMORY: mmap failed for %lld bytes\n", (long long)size);
    exit(1);
}

/* `a ID SIZE`, also used by `r` on a block that is not live. */
static void run_allocate(block *b, int64_t size) {
    size_t v = 0;
    mems_status status = mems_allocate((size_t)size, &v);
    if (status == MEMS_MMAP_FAILED) out_of_memory(size);
    b->address = v;
    b->is_null = status != MEMS_OK;
    b->live = status == MEMS_OK;
    b->size = (size_t)size;
}

static void run_free(block *b) {
    if (b->is_null) return;
    mems_free((void *)(uintptr_t)b->address);
    b->live = 0;
}

static void run_realloc(block *b, int64_t size) {
    if (!b->live) { run_allocate(b, size); return; }
    if (size == 0) { run_free(b); return; }
    size_t fresh = 0;
    mems_status status = mems_allocate((size_t)size, &fresh);
    if (status == MEMS_MMAP_FAILED) out_of_memory(size);
    if (status != MEMS_OK) { /* bad size (> 2^48): as `p = realloc(p, n)` failing, the old block stays */
        b->is_null = 1;      /* allocated but no longer named, and the ID holds NULL */
        b->live = 0;
        return;
    }
    void *old_ptr = (void *)(uintptr_t)b->address;
    void *new_ptr = (void *)(uintptr_t)fresh;
    size_t copy = b->size < (size_t)size ? b->size : (size_t)size;
    /* The ID's old block may be gone (a raw F freed it): copy only what lies in the piece it names now.
     * `r` prints only what its free prints, so the translations are made only where they succeed. */
    size_t room = mems_process_room(old_ptr);
    if (copy > room) copy = room;
    if (copy > 0) memmove(mems_get(new_ptr), mems_get(old_ptr), copy);
    mems_free(old_ptr);
    b->address = fresh;
    b->is_null = 0;
    b->live = 1;
    b->size = (size_t)size;
}

/* The physical address of byte `offset` of block b, or NULL (with what mems_get / the runner prints). */
static unsigned char *lookup(const block *b, int64_t offset, size_t need) {
    if (b->is_null) {
        say("ADDRESS NOT FOUND!!\n");
        return NULL;
    }
    size_t v = b->address + (size_t)offset;
    unsigned char *p = mems_get((void *)(uintptr_t)v);
    /* Through a stale ID the word may straddle the end of a piece: refused, as the TypeScript view is. */
    if (p != NULL && mems_process_room((void *)(uintptr_t)v) < need) {
        say("ADDRESS NOT FOUND!!\n");
        return NULL;
    }
    return p;
}

static int check_each_op = 0; /* --check: walk the whole heap after every operation */

static void run_once(const scenario *sc, block *blocks, int final_stats) {
    for (long i = 0; i < sc->id_count; i++) {
        blocks[i].address = 0;
        blocks[i].is_null = 1;
        blocks[i].live = 0;
        blocks[i].size = 0;
    }
    char last = '\0';
    for (size_t i = 0; i < sc->count; i++) {
        const operation *o = &sc->ops[i];
        block *b = o->id >= 0 ? &blocks[o->id] : NULL;
        last = o->op;
        switch (o->op) {
        case 'a': run_allocate(b, o->arg1); break;
        case 'f': if (b) run_free(b); break;
        case 'r': run_realloc(b, o->arg1); break;
        case 'w': {
            unsigned char *p = lookup(b, o->arg1, 4);
            int32_t value = (int32_t)o->arg2;
            if (p) memcpy(p, &value, sizeof value);
            break;
        }
        case 'g': {
            unsigned char *p = lookup(b, o->arg1, 4);
            int32_t value;
            if (p) {
                memcpy(&value, p, sizeof value);
                say("%s %d\n", o->text, (int)value);
            }
            break;
        }
        case 'v':
            if (b->is_null) say("Virtual address: NULL\n");
            else say("Virtual address: %lu\n", (unsigned long)b->address);
            break;
        case 'p': {
            unsigned char *p = lookup(b, o->arg1, 1);
            if (p) say("Virtual address: %lu\tPhysical Address: %lu\n",
                       (unsigned long)(b->address + (size_t)o->arg1), (unsigned long)(uintptr_t)p);
            break;
        }
        case 's': mems_print_stats(); break;
        case 'x':
            /* finish frees every block: no ID is live afterwards (each keeps its old address) */
            mems_finish();
            for (long k = 0; k < sc->id_count; k++) blocks[k].live = 0;
            break;
        case 'F': mems_free((void *)(uintptr_t)o->arg1); break;
        case 'P': {
            void *p = mems_get((void *)(uintptr_t)o->arg1);
            if (p) say("Virtual address: %lu\tPhysical Address: %lu\n", (unsigned long)o->arg1,
                       (unsigned long)(uintptr_t)p);
            break;
        }
        case 'e': say("%s\n", o->text); break;
        }
        const char *broken = check_each_op ? mems_check_invariants() : NULL;
        if (broken != NULL) {
            fflush(stdout);
            fprintf(stderr, "line %d: invariant broken: %s\n", o->line, broken);
            exit(3);
        }
    }
    if (final_stats) mems_print_stats();
    if (last != 'x') mems_finish();
}

/* ===================================================================================== */
/* Command line                                                                          */
/* ===================================================================================== */

static int usage(void) {
    fprintf(stderr, "usage: replay [--page-size N] [--start N] [--align N] [--final-stats] [--check] [--bench] [--repeat K] FILE\n");
    return 2;
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static char *read_file(const char *name, size_t *length) {
    FILE *file = fopen(name, "rb");
    if (file == NULL) return NULL;
    size_t capacity = 65536, used = 0;
    char *text = checked_alloc(capacity + 1);
    for (;;) {
        size_t got = fread(text + used, 1, capacity - used, file);
        used += got;
        if (used < capacity) break;
        capacity *= 2;
        text = checked_grow(text, capacity + 1);
    }
    int failed = ferror(file);
    fclose(file);
    if (failed) { free(text); return NULL; }
    text[used] = '\0';
    *length = used;
    return text;
}

int main(int argc, char **argv) {
    int64_t page_size = -1, start = -1, align = -1, repeat = 1;
    int bench = 0, final_stats = 0;
    const char *file_name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int64_t *target = NULL;
        if (strcmp(arg, "--page-size") == 0) target = &page_size;
        else if (strcmp(arg, "--start") == 0) target = &start;
        else if (strcmp(arg, "--align") == 0) target = &align;
        else if (strcmp(arg, "--repeat") == 0) target = &repeat;
        else if (strcmp(arg, "--bench") == 0) { bench = 1; continue; }
        else if (strcmp(arg, "--final-stats") == 0) { final_stats = 1; continue; }
        else if (strcmp(arg, "--check") == 0) { check_each_op = 1; continue; }
        else if (arg[0] == '-' && arg[1] != '\0') { fprintf(stderr, "replay: unknown option %s\n", arg); return usage(); }
        else if (file_name == NULL) { file_name = arg; continue; }
        else return usage();
        if (i + 1 >= argc || parse_integer(argv[i + 1], 0, target) != 0) {
            fprintf(stderr, "replay: %s needs a non-negative integer\n", arg);
            return usage();
        }
        i++;
    }
    if (file_name == NULL) return usage();
    if (page_size == 0 || repeat < 1) {
        fprintf(stderr, "replay: --page-size and --repeat must be >= 1\n");
        return usage();
    }
    if (align != -1 && !is_alignment(align)) {
        fprintf(stderr, "replay: --align must be 1, 2, 4, 8 or 16\n");
        return usage();
    }

    size_t length = 0;
    char *text = read_file(file_name, &length);
    if (text == NULL) {
        fprintf(stderr, "%s: cannot read: %s\n", file_name, strerror(errno));
        return 2;
    }
    size_t name_length = strlen(file_name);
    int rep_extension = name_length >= 4 && strcmp(file_name + name_length - 4, ".rep") == 0;

    scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.page_size = -1;
    sc.start = -1;
    sc.align = -1;
    parse_error err;
    memset(&err, 0, sizeof err);
    int parsed = parse_scenario(text, length, rep_extension, &sc, &err);
    free(text);
    if (parsed != 0) {
        fprintf(stderr, "%s:%d: %s\n", file_name, err.line, err.message);
        release_scenario(&sc);
        return 2;
    }
    /* the alignment asked for (directive, else option) must be the one this program was built with */
    int64_t chosen_align = sc.align >= 0 ? sc.align : align >= 0 ? align : MEMS_ALIGN;
    if (chosen_align != MEMS_ALIGN) {
        if (sc.align >= 0) fprintf(stderr, "%s:%d: ", file_name, sc.align_line);
        else fprintf(stderr, "replay: --align: ");
        fprintf(stderr, "alignment %lld needs replay built with MEMS_ALIGN=%lld (this one has %d)\n",
                (long long)chosen_align, (long long)chosen_align, MEMS_ALIGN);
        release_scenario(&sc);
        return 2;
    }

    /* the file's directives win; options fill what it leaves unsaid */
    size_t chosen_page = (size_t)(sc.page_size >= 0 ? sc.page_size : page_size >= 0 ? page_size : PAGE_SIZE);
    size_t chosen_start = (size_t)(sc.start >= 0 ? sc.start : start >= 0 ? start : MEMS_START_ADDRESS);
    mems_configure(chosen_page, chosen_start);
    block *blocks = checked_alloc((size_t)(sc.id_count > 0 ? sc.id_count : 1) * sizeof *blocks);

    if (!bench) {
        mems_init();
        run_once(&sc, blocks, final_stats);
    } else {
        out_quiet = 1;
        mems_set_quiet(1);
        int64_t *runs = checked_alloc((size_t)repeat * sizeof *runs);
        long *faults = checked_alloc((size_t)repeat * sizeof *faults); /* minor page faults of each run */
        struct rusage usage;
        unsigned long mmap_calls = 0;
        size_t peak = 0;
        for (int64_t r = 0; r < repeat; r++) {
            mems_init();
            mems_reset_counters();
            getrusage(RUSAGE_SELF, &usage); /* one thread: as RUSAGE_THREAD */
            long faults_before = usage.ru_minflt;
            int64_t t0 = now_ns();
            run_once(&sc, blocks, 0);
            runs[r] = now_ns() - t0;
            getrusage(RUSAGE_SELF, &usage); /* one thread: as RUSAGE_THREAD */
            faults[r] = usage.ru_minflt - faults_before;
            mmap_calls = mems_mmap_calls;
            peak = mems_peak_mapped_bytes;
        }
        int64_t *sorted = checked_alloc((size_t)repeat * sizeof *sorted);
        memcpy(sorted, runs, (size_t)repeat * sizeof *sorted);
        qsort(sorted, (size_t)repeat, sizeof *sorted, compare_int64);
        int64_t median = repeat % 2 ? sorted[repeat / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;
        printf("{\"ops\": %lu, \"ns\": %lld, \"runs\": [", (unsigned long)sc.count, (long long)median);
        for (int64_t r = 0; r < repeat; r++) printf("%s%lld", r ? ", " : "", (long long)runs[r]);
        printf("], \"faults\": [");
        for (int64_t r = 0; r < repeat; r++) printf("%s%ld", r ? ", " : "", faults[r]);
        printf("], \"mmapCalls\": %lu, \"peakMappedBytes\": %lu}\n", mmap_calls, (unsigned long)peak);
        free(faults);
        free(sorted);
        free(runs);
    }

    free(blocks);
    release_scenario(&sc);
    fflush(stdout);
    return 0;
}
