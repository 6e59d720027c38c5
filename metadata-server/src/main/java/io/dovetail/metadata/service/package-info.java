/**
 * The metadata server's gRPC services ({@code MetadataService}, {@code StorageRegistry}, {@code
 * AdminService}): thin adapters from calls to {@link io.dovetail.metadata.state.MetadataState},
 * turning every failure into a status with its {@link io.dovetail.common.ErrorCode} in the
 * trailer. Authentication is added around them by {@link io.dovetail.common.rpc.Rpc#startServer}.
 */
package io.dovetail.metadata.service;
