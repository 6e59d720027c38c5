package io.dovetail.common.local;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import io.dovetail.common.config.DovetailConf;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.ServiceLoader;

/** Starts {@link LocalCluster}s. Registered in META-INF/services. */
public interface LocalClusterProvider {
  /**
   * Starts a metadata server and {@code storageServers} storage servers bound to {@code host},
   * keeping their state under {@code dir}; returns once they serve.
   */
  LocalCluster start(DovetailConf conf, String host, Path dir, int storageServers);

  /** The provider on the class path; a clear error when the embedded module is missing. */
  static LocalClusterProvider load(ClassLoader loader) {
    Iterator<LocalClusterProvider> it =
        ServiceLoader.load(LocalClusterProvider.class, loader).iterator();
    if (!it.hasNext()) {
      throw new DovetailException(ErrorCode.INVALID_ARGUMENT, "no embedded Dovetail cluster on "
          + "the class path: set dovetail.metadata.address to use a running cluster");
    }
    return it.next();
  }
}
