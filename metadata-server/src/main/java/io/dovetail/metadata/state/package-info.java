/**
 * The metadata server's state machine, {@link io.dovetail.metadata.state.MetadataState}: storage
 * servers and incarnations, applications, shuffles with partition epochs, and map commits, kept
 * durable in a {@link io.dovetail.metadata.store.KeyValueStore} and indexed in memory.
 *
 * <p>Inside: {@code Keys} and {@code Codec} define what is stored; {@code Recovery} rebuilds memory
 * at start; {@code ServerRegistry}, {@code Namespace}, {@code ShuffleOps}, {@code CommitOps} and
 * {@code StorageSync} implement the operations; {@code Layouts} renders wire layouts. No gRPC
 * here: the services in {@code io.dovetail.metadata.service} adapt calls to this package.
 *
 * <p>Exposure of unavailable copies: a DEAD or EXITED server keeps its entry in a layout's or read
 * plan's server table, with that state; a copy reported lost is omitted from its epoch's server
 * list.
 */
package io.dovetail.metadata.state;
