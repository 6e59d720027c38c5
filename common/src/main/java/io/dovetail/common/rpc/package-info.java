/**
 * Control-plane helpers around gRPC: error codes carried in a status trailer
 * ({@link io.dovetail.common.rpc.GrpcErrors}), shared-secret interceptors, channel and server
 * builders, and a retry loop for callers that must ride out a metadata-server restart.
 */
package io.dovetail.common.rpc;
