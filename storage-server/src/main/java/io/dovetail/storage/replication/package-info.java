/**
 * Primary-to-replica forwarding: {@link io.dovetail.storage.replication.Replicator} sends the
 * batches a primary accepted to every replica the push names, over its own pooled data-plane
 * connections, and reports which batches some replica did not take. It depends only on the common
 * transport; partition storage knows nothing of it.
 */
package io.dovetail.storage.replication;
