/**
 * The store client: what the Spark plugin (and any other writer or reader of intermediate data)
 * uses. {@link io.dovetail.client.DovetailClient} is the entry point; pushing lives in
 * {@code push}, verified reading in {@code read}. The client talks to the metadata server over
 * gRPC ({@link io.dovetail.client.MetadataClient}) and to storage servers over the data plane.
 */
package io.dovetail.client;
