/**
 * Glossary and record layouts of MeMS's bookkeeping.
 *
 * Glossary
 * - segment: one mapping MeMS took from the OS for its user, a whole number of PAGE_SIZE bytes.
 * - main chain: the list of main nodes, one per segment, in the order the segments were mapped.
 * - piece: a run of bytes of one segment; the pieces of a segment tile it exactly, in address order.
 * - sub-chain: the list of pieces of one segment, hanging off its main node.
 * - PROCESS: a piece handed out to the user (a block). HOLE: a piece that is free.
 * - virtual address: MeMS's own address of a byte. Segments take consecutive virtual ranges from the
 *   start address, so virtual space has no gaps. physical address: the real address of the byte in the
 *   mapping (segment base + offset); what `get` returns.
 * - page: PAGE_SIZE bytes, the unit in which segments are mapped and counted (not the OS page).
 * - record: one fixed-size slot of the record pool, holding either a main node or a piece.
 * - granule: GRANULE bytes of virtual space; the address map names, for each granule, the piece that
 *   holds its last byte, so an address is found without walking any chain.
 *
 * Every piece record is 32 bytes (two to a cache line) and every main record 64 bytes (two consecutive
 * slots), in a pool that MeMS maps itself, seen through a Float64Array (F) and an Int32Array (I) over the
 * same memory. Slot r's f64 slots are F[r*4 + k], its i32 slots I[r*8 + k]. Links are record numbers,
 * NIL (-1) for none. Each piece's main node is in a parallel Int32Array (PM[r]), and its physical
 * address is not stored: it is its segment's physical base + (virtual address - the segment's start).
 */

/** Bytes per record slot. */
export const RECORD_BYTES = 32;
/** Float64 slots per record slot (shift: r << 2). */
export const F_SHIFT = 2;
/** Int32 slots per record slot (shift: r << 3). */
export const I_SHIFT = 3;
/** Slots a main record takes. */
export const MAIN_SLOTS = 2;

/** The null link. */
export const NIL = -1;

/*
 * Piece record (a sub-chain node): the seed's size, virtual_address, next and prev, and the two links of
 * the hole lookup's lists (size-indexed: the HOLEs of a size class; first-fit: the HOLEs of a segment,
 * in address order). The type shares its slot with holePrev: a HOLE's slot is its previous HOLE in its
 * list or NIL, so every value >= NIL means HOLE; PROCESS and RECORD_FREE are below NIL.
 *
 *   byte 0        8                 16     20     24         28
 *   ┌─────────────┬─────────────────┬──────┬──────┬──────────┬───────────────────┐
 *   │ size (f64)  │ virtual_address │ next │ prev │ holeNext │ holePrev / type   │
 *   └─────────────┴─────────────────┴──────┴──────┴──────────┴───────────────────┘
 */
export const P_SIZE = 0; // F
export const P_VIRTUAL_ADDRESS = 1; // F
export const P_NEXT = 4; // I
export const P_PREV = 5; // I
export const P_HOLE_NEXT = 6; // I: next HOLE of the same size class (size-indexed) or segment (first-fit)
export const P_HOLE_PREV = 7; // I: previous HOLE of that list, or NIL; also the type (below)
export const P_TYPE = P_HOLE_PREV;

/** Types: a HOLE is any value >= HOLE (NIL or a record); a record on the pool's free list is RECORD_FREE. */
export const HOLE = NIL;
export const PROCESS = -2;
export const RECORD_FREE = -3;

/*
 * Main record (a main-chain node), two slots:
 *
 *   byte 0                     8            16              24         28   32            40               44     48     52        56          60
 *   ┌──────────────────────────┬────────────┬───────────────┬──────────┬────┬─────────────┬────────────────┬──────┬──────┬─────────┬───────────┬──────────────┐
 *   │ start_virtual_address    │ total_size │ physical base │ lastHole │    │ maxHoleHint │ sub_chain_head │ next │ prev │ ordinal │ firstHole │ subChainTail │
 *   └──────────────────────────┴────────────┴───────────────┴──────────┴────┴─────────────┴────────────────┴──────┴──────┴─────────┴───────────┴──────────────┘
 *
 * maxHoleHint is never below the size of the segment's largest HOLE (it may be above it): first-fit skips
 * a segment whose hint is below the request. ordinal is the segment's position in the main chain (0 for
 * the first mapped), the index of its ArrayBuffer. firstHole and lastHole (first-fit only) are the
 * segment's first and last HOLE, NIL when it has none; first-fit links the segment's HOLEs in address
 * order through the pieces' holeNext and holePrev slots (which size-indexed uses for its class lists).
 * Sub-chain lengths are counted when stats are asked for, so no split or merge has to touch the main
 * record.
 */
export const M_START_VIRTUAL_ADDRESS = 0; // F
export const M_TOTAL_SIZE = 1; // F
export const M_PHYSICAL_BASE = 2; // F
export const M_MAX_HOLE_HINT = 4; // F
export const M_SUB_CHAIN_HEAD = 10; // I
export const M_NEXT = 11; // I
export const M_PREV = 12; // I
export const M_ORDINAL = 13; // I
export const M_LAST_HOLE = 6; // I: first-fit: the segment's last HOLE (NIL when none)
export const M_FIRST_HOLE = 14; // I: first-fit: the segment's first HOLE (NIL when none)
export const M_SUB_CHAIN_TAIL = 15; // I: the last piece of the sub-chain (the address map steps back across segments)

/** Bytes of virtual space per address-map entry (a power of two). */
export const GRANULE_LOG2 = 7;
export const GRANULE = 1 << GRANULE_LOG2;
