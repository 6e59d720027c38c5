/**
 * The RocksDB implementation of {@link io.dovetail.metadata.store.KeyValueStore}. Nothing outside
 * this package touches RocksDB types, so its exceptions and native resources stay here.
 */
package io.dovetail.metadata.store.rocksdb;
