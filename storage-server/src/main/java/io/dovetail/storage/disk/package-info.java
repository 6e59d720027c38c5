/**
 * Data directories: {@link io.dovetail.storage.disk.DataDir} accounts the bytes reserved against
 * a directory's capacity and free-space reserve and tracks its health;
 * {@link io.dovetail.storage.disk.DataDirs} picks a directory per new file, round-robin over
 * healthy ones with room; {@link io.dovetail.storage.disk.Flusher} runs the directory's named,
 * critical flusher threads. The file formats live in {@code io.dovetail.storage.partition}.
 */
package io.dovetail.storage.disk;
