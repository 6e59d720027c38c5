package io.dovetail.storage;

import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.testkit.TestDirs;
import java.nio.file.Path;

/** Small, fast configurations for in-process storage servers. */
final class TestServers {
  private TestServers() {}

  /** A standalone server on 127.0.0.1, an ephemeral port and a fresh directory. */
  static DovetailConf standalone(String name) {
    return conf(TestDirs.create(name));
  }

  static DovetailConf conf(Path dir) {
    return new DovetailConf()
        .set(StorageConfig.HOST.key(), "127.0.0.1")
        .set(StorageConfig.PORT.key(), "0")
        .set(StorageConfig.DIRS.key(), dir.toString())
        .set(StorageConfig.MEMORY_LIMIT.key(), "8m")
        .set(CommonConfig.MAX_FRAME_SIZE.key(), "1m")
        .set(StorageConfig.PARTITION_FLUSH_THRESHOLD.key(), "64k")
        .set(StorageConfig.READ_CHUNK_SIZE.key(), "64k")
        .set(StorageConfig.DISK_RESERVE.key(), "0")
        .set(StorageConfig.IO_THREADS.key(), "2")
        .set(StorageConfig.WORKER_THREADS.key(), "2")
        .set(CommonConfig.CLIENT_THREADS.key(), "2")
        .set(CommonConfig.CONNECTIONS_PER_PEER.key(), "1")
        .set(CommonConfig.REQUEST_TIMEOUT.key(), "30s");
  }

  static StorageServer start(DovetailConf conf) {
    StorageServer s = new StorageServer(conf);
    s.start();
    return s;
  }
}
