/**
 * Shared foundations of every Dovetail process: the error-code enum and exception, and the
 * sub-packages for configuration entries ({@code config}), data-plane frames ({@code protocol}),
 * the Netty TCP transport ({@code transport}), control-plane gRPC helpers ({@code rpc}) and small
 * utilities ({@code util}). Nothing here knows about Spark, RocksDB or partition files.
 */
package io.dovetail.common;
