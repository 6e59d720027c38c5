/**
 * The Dovetail metadata server: {@link io.dovetail.metadata.MetadataServer} (embeddable: a
 * constructor from a configuration, start, port, close), its process entry point {@link
 * io.dovetail.metadata.MetadataServerMain} and its configuration keys {@link
 * io.dovetail.metadata.MetadataConfig}. The state machine is in {@code state}, its storage in
 * {@code store}, placement in {@code placement}, and the gRPC adapters in {@code service}.
 */
package io.dovetail.metadata;
