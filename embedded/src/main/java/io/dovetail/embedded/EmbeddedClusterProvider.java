package io.dovetail.embedded;

import io.dovetail.common.local.LocalCluster;
import io.dovetail.common.local.LocalClusterProvider;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.util.HostPort;
import java.nio.file.Path;

/** Provides {@link EmbeddedCluster}s to clients that look one up by ServiceLoader. */
public final class EmbeddedClusterProvider implements LocalClusterProvider {
  @Override
  public LocalCluster start(DovetailConf conf, String host, Path dir, int storageServers) {
    EmbeddedCluster cluster = EmbeddedCluster.builder().conf(conf).host(host).baseDir(dir)
        .storageServers(storageServers).build().start();
    return new LocalCluster() {
      @Override
      public HostPort metadataAddress() {
        return cluster.metadataAddress();
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }
}
