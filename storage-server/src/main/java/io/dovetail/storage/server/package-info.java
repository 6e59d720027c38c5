/**
 * The data-plane request handling of the storage server: {@link io.dovetail.storage.server.StorageRequestHandler}
 * dispatches decoded frames (SEAL, OPEN_STREAM, FETCH_CHUNK, CLOSE_STREAM) and
 * {@link io.dovetail.storage.server.PushHandler} runs the hot PUSH path (checksum, incarnation,
 * append into partition buffers, replication). Everything here runs on event loops and never
 * blocks; slow work is handed to the flushers or the worker executor, which answer from there.
 */
package io.dovetail.storage.server;
