/**
 * Read streams over sealed partition files. {@link io.dovetail.storage.stream.ReadStream} selects
 * batches from a file's index (map range, committed attempts), packs them into chunks and builds
 * each chunk's body: a zero-copy file region for bytes already in the file, retained memory slices
 * for bytes still buffered. {@link io.dovetail.storage.stream.StreamManager} owns the open streams
 * by id and closes them with their connection. The wire protocol lives in
 * {@code io.dovetail.common.protocol}; the request handler in {@code io.dovetail.storage.server}.
 */
package io.dovetail.storage.stream;
