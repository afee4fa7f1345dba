/*
 * mems.h: MeMS, the C reference implementation (the whole manager in one header, as the course's
 * template had it). A program does `#include "mems.h"` and builds with plain `gcc -o prog prog.c`.
 *
 * The behaviour is fixed by docs/mems.md; this file follows it with first-fit lookup.
 * Memory comes from the OS only through mmap and goes back only through munmap: the manager's
 * own records live in pages it maps itself too (no heap allocator from libc is used or named).
 *
 * Glossary
 *   segment          one mmap'd region, a whole multiple of PAGE_SIZE bytes long.
 *   main chain       doubly linked list with one main node per segment, in the order mapped.
 *   sub-chain        doubly linked list hanging off a main node; its pieces tile the segment exactly.
 *   piece            one sub-chain node: a run of bytes in a segment, either PROCESS or HOLE.
 *   PROCESS          a piece handed out to the user (in use).
 *   HOLE             a free piece; two HOLEs are never neighbours in a sub-chain (they merge).
 *   virtual address  a number in MeMS's own address space; segments take consecutive ranges from the
 *                    start address on, so the virtual space is contiguous (physical memory is not).
 *   physical address the real address of a byte: segment base + (v - segment's first virtual address).
 *   page             PAGE_SIZE bytes, the unit in which segments are mapped and counted.
 *   node pool        mapped chunks holding many main/sub nodes each, with a free list of recycled nodes.
 *
 * Compile-time parameters: PAGE_SIZE (default 4096), MEMS_START_ADDRESS (default 1000),
 * MEMS_ALIGN (default 1; 1, 2, 4, 8 or 16). mems_configure(page_size, start_address) before mems_init
 * overrides the first two at run time; MEMS_ALIGN is fixed at compile time (`-DMEMS_ALIGN=8`).
 *
 * Alignment: every request is rounded up to a multiple of MEMS_ALIGN before it is placed, so a PROCESS
 * piece's size is that multiple (the stats show it). Offsets in a segment are sums of piece sizes and a
 * segment's base comes from mmap (page-aligned), so every piece starts at a physical address that is a
 * multiple of MEMS_ALIGN; only a segment's last piece, a HOLE, can have a size that is not (when
 * PAGE_SIZE is not a multiple of MEMS_ALIGN). MEMS_ALIGN 1 is the course's behaviour, byte for byte.
 */
#ifndef MEMS_H
#define MEMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ===================================================================================== */
/* Parameters                                                                            */
/* ===================================================================================== */

#ifndef PAGE_SIZE
#define PAGE_SIZE 4096
#endif

#ifndef MEMS_START_ADDRESS
#define MEMS_START_ADDRESS 1000
#endif

#ifndef MEMS_ALIGN
#define MEMS_ALIGN 1
#endif
_Static_assert(MEMS_ALIGN == 1 || MEMS_ALIGN == 2 || MEMS_ALIGN == 4 || MEMS_ALIGN == 8 || MEMS_ALIGN == 16,
               "MEMS_ALIGN must be 1, 2, 4, 8 or 16");

/* A request rounded up to a multiple of MEMS_ALIGN (a power of two; 2^48 is a multiple of it). */
#define MEMS_ROUND_UP(size) (((size) + (size_t)MEMS_ALIGN - 1) & ~((size_t)MEMS_ALIGN - 1))

/* Requests above 2^48 bytes are bad input (spec: "larger than 2^48"). */
#define MEMS_MAX_REQUEST ((size_t)1 << 48)

/* Bytes per node-pool chunk: 64 KiB holds about 1,300 nodes. */
#define MEMS_POOL_CHUNK_BYTES ((size_t)64 * 1024)

/* Every public function is static (header-only); `unused` keeps -Wall quiet in programs that
 * call only some of them. */
#define MEMS_API static __attribute__((unused))

/* ===================================================================================== */
/* Records                                                                               */
/* ===================================================================================== */

typedef enum { MEMS_PROCESS = 0, MEMS_HOLE = 1 } mems_piece_type;

/*
 * Sub-chain node (one piece)                 Main node (one segment)
 * +------------------+                       +-----------------------+
 * | size             | bytes in the piece    | start_virtual_address | first virtual address
 * | type             | PROCESS or HOLE       | total_size            | mapped bytes
 * | virtual_address  | first virtual address | physical_base         | what mmap returned
 * | physical_address | its real address      | sub_chain_head        | first piece
 * | next, prev       | neighbours in segment | next, prev            | neighbours in main chain
 * +------------------+                       +-----------------------+
 */
typedef struct mems_sub_node {
    size_t size;
    mems_piece_type type;
    size_t virtual_address;
    unsigned char *physical_address;
    struct mems_sub_node *next;
    struct mems_sub_node *prev;
} mems_sub_node;

typedef struct mems_main_node {
    size_t start_virtual_address;
    size_t total_size;
    unsigned char *physical_base;
    mems_sub_node *sub_chain_head;
    struct mems_main_node *next;
    struct mems_main_node *prev;
} mems_main_node;

/* One slot of the node pool. Slot 0 of every chunk links the chunks (for unmapping at finish);
 * a recycled slot links the free list. */
typedef union mems_pool_slot {
    mems_main_node main_node;
    mems_sub_node sub_node;
    union mems_pool_slot *next_free;
    union mems_pool_slot *next_chunk;
} mems_pool_slot;

/* Outcome of mems_allocate (mems_malloc folds both failures into NULL). */
typedef enum { MEMS_OK = 0, MEMS_BAD_SIZE = 1, MEMS_MMAP_FAILED = 2 } mems_status;

/* ===================================================================================== */
/* State                                                                                 */
/* ===================================================================================== */

static struct {
    int initialised;
    size_t page_size;          /* fixed at init */
    size_t start_address;      /* fixed at init */
    mems_main_node *head;      /* main chain */
    mems_main_node *tail;
    mems_pool_slot *chunks;    /* node pool: mapped chunks, newest first */
    mems_pool_slot *bump;      /* next never-used slot in the newest chunk */
    mems_pool_slot *bump_end;
    mems_pool_slot *free_slots; /* recycled slots */
} mems_state;

/* Settings that outlive init/finish. */
static size_t mems_configured_page_size = PAGE_SIZE;
static size_t mems_configured_start_address = MEMS_START_ADDRESS;
static int mems_quiet = 0;

/* Counters for benchmarks. mmap/munmap calls include the node pool's; mapped bytes count segments only. */
static unsigned long mems_mmap_calls = 0;
static unsigned long mems_munmap_calls = 0;
static size_t mems_mapped_bytes = 0;
static size_t mems_peak_mapped_bytes = 0;

/* ===================================================================================== */
/* OS layer: the only place that calls mmap and munmap                                   */
/* ===================================================================================== */

static void *mems_os_map(size_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    mems_mmap_calls++;
    return p;
}

static void mems_os_unmap(void *p, size_t bytes) {
    munmap(p, bytes);
    mems_munmap_calls++;
}

/* ===================================================================================== */
/* Node pool                                                                             */
/* ===================================================================================== */

/* A zeroed slot, or NULL when a new chunk was needed and could not be mapped. */
static mems_pool_slot *mems_pool_take(void) {
    mems_pool_slot *slot;
    if (mems_state.free_slots != NULL) {
        slot = mems_state.free_slots;
        mems_state.free_slots = slot->next_free;
    } else {
        if (mems_state.bump == mems_state.bump_end) {
            mems_pool_slot *chunk = (mems_pool_slot *)mems_os_map(MEMS_POOL_CHUNK_BYTES);
            if (chunk == NULL) return NULL;
            chunk->next_chunk = mems_state.chunks;
            mems_state.chunks = chunk;
            mems_state.bump = chunk + 1;
            mems_state.bump_end = chunk + MEMS_POOL_CHUNK_BYTES / sizeof(mems_pool_slot);
        }
        slot = mems_state.bump++;
    }
    memset(slot, 0, sizeof *slot);
    return slot;
}

static void mems_pool_give(void *node) {
    mems_pool_slot *slot = (mems_pool_slot *)node;
    slot->next_free = mems_state.free_slots;
    mems_state.free_slots = slot;
}

static void mems_pool_unmap_all(void) {
    mems_pool_slot *chunk = mems_state.chunks;
    while (chunk != NULL) {
        mems_pool_slot *next = chunk->next_chunk;
        mems_os_unmap(chunk, MEMS_POOL_CHUNK_BYTES);
        chunk = next;
    }
}

/* ===================================================================================== */
/* Lifecycle: init, finish, configuration                                                */
/* ===================================================================================== */

MEMS_API void mems_finish(void);

/* Sets PAGE_SIZE and the start address used by the next mems_init (also by the automatic one).
 * A page size of 0 is ignored. */
MEMS_API void mems_configure(size_t page_size, size_t start_address) {
    if (page_size >= 1) mems_configured_page_size = page_size;
    mems_configured_start_address = start_address;
}

/* Quiet mode: no ADDRESS NOT FOUND!! lines and no stats text (for benchmarks). */
MEMS_API void mems_set_quiet(int quiet) { mems_quiet = quiet; }

MEMS_API void mems_reset_counters(void) {
    mems_mmap_calls = 0;
    mems_munmap_calls = 0;
    mems_peak_mapped_bytes = mems_mapped_bytes;
}

/* An empty system. Called on a system that holds memory, it finishes it first (nothing leaks). */
MEMS_API void mems_init(void) {
    if (mems_state.initialised) mems_finish();
    memset(&mems_state, 0, sizeof mems_state);
    mems_state.page_size = mems_configured_page_size;
    mems_state.start_address = mems_configured_start_address;
    mems_state.initialised = 1;
}

static void mems_ensure_init(void) {
    if (!mems_state.initialised) mems_init();
}

/* Unmaps every segment (whole length) and every pool chunk; the next use starts afresh at the
 * start address. A second finish does nothing. */
MEMS_API void mems_finish(void) {
    if (!mems_state.initialised) return;
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        mems_os_unmap(m->physical_base, m->total_size);
        mems_mapped_bytes -= m->total_size;
    }
    mems_pool_unmap_all();
    memset(&mems_state, 0, sizeof mems_state);
}

/* ===================================================================================== */
/* Lookup helpers                                                                        */
/* ===================================================================================== */

static void mems_report_not_found(void) {
    if (!mems_quiet) printf("ADDRESS NOT FOUND!!\n");
}

/* The segment whose virtual range holds v, or NULL. */
static mems_main_node *mems_segment_of(size_t v) {
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        if (v >= m->start_virtual_address && v - m->start_virtual_address < m->total_size) return m;
    }
    return NULL;
}

/* The piece of segment m whose range holds v (v must lie in m). */
static mems_sub_node *mems_piece_of(mems_main_node *m, size_t v) {
    for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
        if (v - s->virtual_address < s->size) return s;
    }
    return NULL;
}

/* The PROCESS piece holding v, or NULL (prints nothing). */
static mems_sub_node *mems_process_piece_at(size_t v) {
    mems_main_node *m = mems_segment_of(v);
    if (m == NULL) return NULL;
    mems_sub_node *s = mems_piece_of(m, v);
    return (s != NULL && s->type == MEMS_PROCESS) ? s : NULL;
}

/* ===================================================================================== */
/* mems_malloc                                                                           */
/* ===================================================================================== */

/* Turns HOLE `hole` into PROCESS(size) at its start, the remainder staying a HOLE after it.
 * Fails (nothing changed) only when the remainder needs a node and the pool cannot map one. */
static mems_status mems_split_hole(mems_sub_node *hole, size_t size) {
    if (hole->size > size) {
        mems_sub_node *rest = (mems_sub_node *)mems_pool_take();
        if (rest == NULL) return MEMS_MMAP_FAILED;
        rest->type = MEMS_HOLE;
        rest->size = hole->size - size;
        rest->virtual_address = hole->virtual_address + size;
        rest->physical_address = hole->physical_address + size;
        rest->prev = hole;
        rest->next = hole->next;
        if (hole->next != NULL) hole->next->prev = rest;
        hole->next = rest;
        hole->size = size;
    }
    hole->type = MEMS_PROCESS; /* exact fit: no zero-size HOLE is left */
    return MEMS_OK;
}

/* Maps a new segment for `size` bytes and appends it to the main chain as PROCESS(size) + HOLE.
 * On any failure every node taken goes back to the pool and nothing else changes. */
static mems_status mems_map_segment(size_t size, size_t *virtual_out) {
    size_t page = mems_state.page_size;
    if (size > SIZE_MAX - page) return MEMS_MMAP_FAILED;
    size_t length = (size + page - 1) / page * page;

    mems_main_node *segment = (mems_main_node *)mems_pool_take();
    mems_sub_node *piece = segment ? (mems_sub_node *)mems_pool_take() : NULL;
    mems_sub_node *rest = (piece && length > size) ? (mems_sub_node *)mems_pool_take() : NULL;
    unsigned char *base = NULL;
    if (piece != NULL && (rest != NULL || length == size)) base = (unsigned char *)mems_os_map(length);
    if (base == NULL) {
        if (rest) mems_pool_give(rest);
        if (piece) mems_pool_give(piece);
        if (segment) mems_pool_give(segment);
        return MEMS_MMAP_FAILED;
    }
    mems_mapped_bytes += length;
    if (mems_mapped_bytes > mems_peak_mapped_bytes) mems_peak_mapped_bytes = mems_mapped_bytes;

    mems_main_node *tail = mems_state.tail;
    segment->start_virtual_address =
        tail ? tail->start_virtual_address + tail->total_size : mems_state.start_address;
    segment->total_size = length;
    segment->physical_base = base;
    segment->sub_chain_head = piece;

    piece->type = MEMS_PROCESS;
    piece->size = size;
    piece->virtual_address = segment->start_virtual_address;
    piece->physical_address = base;
    if (rest != NULL) {
        rest->type = MEMS_HOLE;
        rest->size = length - size;
        rest->virtual_address = piece->virtual_address + size;
        rest->physical_address = base + size;
        rest->prev = piece;
        piece->next = rest;
    }

    segment->prev = tail;
    if (tail) tail->next = segment; else mems_state.head = segment;
    mems_state.tail = segment;
    *virtual_out = piece->virtual_address;
    return MEMS_OK;
}

/* mems_malloc with the outcome spelled out: with start address 0 a block's virtual address can be
 * 0, which mems_malloc cannot tell apart from failure. */
MEMS_API mems_status mems_allocate(size_t size, size_t *virtual_out) {
    mems_ensure_init();
    if (size == 0 || size > MEMS_MAX_REQUEST) return MEMS_BAD_SIZE;
    size = MEMS_ROUND_UP(size); /* the size checked is the one asked for */
    /* first-fit: main chain from its head, each sub-chain from its head */
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            if (s->type == MEMS_HOLE && s->size >= size) {
                mems_status status = mems_split_hole(s, size);
                if (status == MEMS_OK) *virtual_out = s->virtual_address;
                return status;
            }
        }
    }
    return mems_map_segment(size, virtual_out);
}

/* The virtual address of a new PROCESS piece of `size` bytes, or NULL (bad size, mmap failure). */
MEMS_API void *mems_malloc(size_t size) {
    size_t v;
    if (mems_allocate(size, &v) != MEMS_OK) return NULL;
    return (void *)(uintptr_t)v;
}

/* ===================================================================================== */
/* mems_free                                                                             */
/* ===================================================================================== */

/* Removes `gone` from its sub-chain and recycles its node (its bytes were added elsewhere). */
static void mems_unlink_piece(mems_sub_node *gone) {
    if (gone->prev) gone->prev->next = gone->next;
    if (gone->next) gone->next->prev = gone->prev;
    mems_pool_give(gone);
}

/* v must be the first virtual address of a PROCESS piece; it becomes a HOLE merged with HOLE
 * neighbours in its own sub-chain. Anything else prints ADDRESS NOT FOUND!! and changes nothing. */
MEMS_API void mems_free(void *ptr) {
    mems_ensure_init();
    size_t v = (size_t)(uintptr_t)ptr;
    mems_sub_node *piece = mems_process_piece_at(v);
    if (piece == NULL || piece->virtual_address != v) {
        mems_report_not_found();
        return;
    }
    piece->type = MEMS_HOLE;
    mems_sub_node *next = piece->next;
    if (next != NULL && next->type == MEMS_HOLE) {
        piece->size += next->size;
        mems_unlink_piece(next);
    }
    mems_sub_node *prev = piece->prev;
    if (prev != NULL && prev->type == MEMS_HOLE) {
        prev->size += piece->size;
        mems_unlink_piece(piece); /* never the head: it has a prev */
    }
}

/* ===================================================================================== */
/* mems_get                                                                              */
/* ===================================================================================== */

/* The physical address of virtual address v, which must lie inside a PROCESS piece; otherwise
 * prints ADDRESS NOT FOUND!! and returns NULL. */
MEMS_API void *mems_get(void *ptr) {
    mems_ensure_init();
    size_t v = (size_t)(uintptr_t)ptr;
    mems_sub_node *piece = mems_process_piece_at(v);
    if (piece == NULL) {
        mems_report_not_found();
        return NULL;
    }
    return piece->physical_address + (v - piece->virtual_address);
}

/* Bytes from v to the end of the PROCESS piece holding it; 0 when v is not in one. Prints nothing.
 * (A runner aid: a realloc copy never reads past the piece its old address now falls in.) */
MEMS_API size_t mems_process_room(void *ptr) {
    mems_ensure_init();
    size_t v = (size_t)(uintptr_t)ptr;
    mems_sub_node *piece = mems_process_piece_at(v);
    return piece ? piece->size - (v - piece->virtual_address) : 0;
}

/* ===================================================================================== */
/* mems_print_stats                                                                      */
/* ===================================================================================== */

MEMS_API void mems_print_stats(void) {
    mems_ensure_init();
    if (mems_quiet) return;
    size_t mapped = 0, unused = 0;
    unsigned long segments = 0;
    printf("----- MeMS SYSTEM STATS -----\n");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        printf("MAIN[%lu:%lu]-> ", (unsigned long)m->start_virtual_address,
               (unsigned long)(m->start_virtual_address + m->total_size - 1));
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) {
            printf("%c[%lu:%lu] <-> ", s->type == MEMS_PROCESS ? 'P' : 'H',
                   (unsigned long)s->virtual_address,
                   (unsigned long)(s->virtual_address + s->size - 1));
            if (s->type == MEMS_HOLE) unused += s->size;
        }
        printf("NULL\n");
        mapped += m->total_size;
        segments++;
    }
    printf("Pages used:\t%lu\n", (unsigned long)(mapped / mems_state.page_size));
    printf("Space unsued:\t%lu\n", (unsigned long)unused);
    printf("Main Chain Length:\t%lu\n", segments);
    printf("Sub-chain Length array: [");
    for (mems_main_node *m = mems_state.head; m != NULL; m = m->next) {
        unsigned long pieces = 0;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; s = s->next) pieces++;
        printf("%lu, ", pieces);
    }
    printf("]\n");
    printf("-----------------------------\n");
}

/* ===================================================================================== */
/* Invariant checker                                                                     */
/* ===================================================================================== */

/* Walks the whole system; returns NULL when every invariant holds, else which one broke. */
MEMS_API const char *mems_check_invariants(void) {
    if (!mems_state.initialised) return mems_state.head ? "uninitialised system holds segments" : NULL;
    size_t expected_start = mems_state.start_address;
    mems_main_node *prev_segment = NULL;
    for (mems_main_node *m = mems_state.head; m != NULL; prev_segment = m, m = m->next) {
        if (m->prev != prev_segment) return "main chain: prev link does not match";
        if (m->start_virtual_address != expected_start) return "main chain: virtual ranges not contiguous";
        if (m->total_size == 0 || m->total_size % mems_state.page_size != 0)
            return "segment: size is not a positive multiple of PAGE_SIZE";
        if (m->sub_chain_head == NULL) return "segment: empty sub-chain";
        size_t covered = 0;
        mems_sub_node *prev_piece = NULL;
        for (mems_sub_node *s = m->sub_chain_head; s != NULL; prev_piece = s, s = s->next) {
            if (s->prev != prev_piece) return "sub-chain: prev link does not match";
            if (s->size == 0) return "sub-chain: zero-size piece";
            if (s->virtual_address != m->start_virtual_address + covered)
                return "sub-chain: pieces do not tile the segment";
            if (s->physical_address != m->physical_base + covered)
                return "sub-chain: physical address does not match virtual address";
            if ((uintptr_t)s->physical_address % MEMS_ALIGN != 0)
                return "sub-chain: piece does not start at a multiple of MEMS_ALIGN";
            if (s->type == MEMS_PROCESS && s->size % MEMS_ALIGN != 0)
                return "sub-chain: block size is not a multiple of MEMS_ALIGN";
            if (prev_piece && prev_piece->type == MEMS_HOLE && s->type == MEMS_HOLE)
                return "sub-chain: two neighbouring HOLEs should have merged";
            covered += s->size;
        }
        if (covered != m->total_size) return "sub-chain: pieces do not add up to the segment size";
        expected_start = m->start_virtual_address + m->total_size;
    }
    if (mems_state.tail != prev_segment) return "main chain: tail is not the last node";
    return NULL;
}

#endif /* MEMS_H */
