/**
 * The storage server's memory: {@link io.dovetail.storage.memory.MemoryBudget} admits PUSH frames
 * before their bodies are read (backpressure down to TCP) and accounts every partition buffer
 * {@link io.dovetail.storage.memory.Chunk} until it is truly freed;
 * {@link io.dovetail.storage.memory.CopyCredit} lets one frame's copy into partition buffers draw on
 * the memory its admission set aside; {@link io.dovetail.storage.memory.ChunkPool} reuses chunk
 * buffers of standard sizes within the limit. Nothing here does I/O or knows about partition
 * files.
 */
package io.dovetail.storage.memory;
