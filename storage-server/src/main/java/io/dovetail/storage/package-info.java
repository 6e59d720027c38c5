/**
 * The Dovetail storage server: {@link io.dovetail.storage.StorageServer} (embeddable: construct
 * with a {@link io.dovetail.common.config.DovetailConf}, {@code start()}, {@code close()}),
 * {@link io.dovetail.storage.StorageServerMain} (the process entry point) and
 * {@link io.dovetail.storage.StorageConfig} (its configuration keys). The parts live in
 * sub-packages by feature: {@code memory} (budget, chunks), {@code disk} (directories, flushers),
 * {@code partition} (files, formats, store), {@code stream} (reads), {@code replication},
 * {@code registry} (metadata server) and {@code server} (request handling).
 */
package io.dovetail.storage;
