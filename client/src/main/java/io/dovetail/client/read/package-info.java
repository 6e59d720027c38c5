/**
 * Verified reading: {@link io.dovetail.client.read.ShuffleReader} streams the committed batches
 * of a partition range (optionally a map range) from storage servers, with bounded prefetch,
 * replica failover, duplicate dropping and an end-to-end check of what was committed.
 */
package io.dovetail.client.read;
