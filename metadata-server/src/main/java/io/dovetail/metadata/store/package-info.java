/**
 * Durable key-value storage of the metadata server: the small {@link
 * io.dovetail.metadata.store.KeyValueStore} interface and its atomic {@link
 * io.dovetail.metadata.store.KvBatch}. The RocksDB implementation lives in {@code
 * store.rocksdb}. What the keys and values mean is not decided here; see {@code
 * io.dovetail.metadata.state.Keys}.
 */
package io.dovetail.metadata.store;
