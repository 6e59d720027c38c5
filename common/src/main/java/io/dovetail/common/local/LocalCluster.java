package io.dovetail.common.local;

import io.dovetail.common.util.HostPort;

/** A running in-process cluster. Thread-safe. */
public interface LocalCluster extends AutoCloseable {
  HostPort metadataAddress();

  /** Stops every server; idempotent. */
  @Override
  void close();
}
