#pragma once
// Process-wide allocator settings for a program that moves alert packets and Kafka fetch responses.

#include <malloc.h>

namespace rivulet {

//! Keeps large freed buffers on the heap instead of returning them to the kernel.
//!
//! glibc serves blocks over its mmap threshold (128 kB, growing to at most 32 MB) with a fresh mmap and
//! unmaps them on free; it also trims the heap top past 128 kB. A broker cycles through many such
//! buffers (Kafka fetch responses of several MB, 60 kB packets, SQLite pages), so every batch paid for
//! re-zeroed pages: page faults were a third of the consume path's CPU time. Up to 64 MB blocks now come
//! from the heap and up to 256 MB of free heap is kept for reuse. Call once, first thing in main().
inline void KeepLargeBuffersOnTheHeap() {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace rivulet
