/**
 * The storage server's side of the control plane: {@link io.dovetail.storage.registry.RegistryClient}
 * registers with the metadata server's {@code StorageRegistry} (gRPC), heartbeats, and carries out
 * what the answers ask: delete removed shuffles, register again under a new incarnation, drain and
 * exit. What it reports and what it changes go through {@link io.dovetail.storage.registry.RegistryHost},
 * so this package knows nothing of partition files or the data plane.
 */
package io.dovetail.storage.registry;
