package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The plugin ships as one jar whose third-party classes are all relocated. */
class ShadedJarIT {
  static final String PREFIX = "io/dovetail/shaded/";

  @Test
  void everyBundledLibraryIsRelocated() throws Exception {
    List<String> foreign = new ArrayList<>();
    int classes = 0;
    try (JarFile jar = new JarFile(SparkStandaloneCluster.pluginJar().toFile())) {
      for (JarEntry e : Collections.list(jar.entries())) {
        String name = e.getName();
        if (!name.endsWith(".class")) {
          continue;
        }
        classes++;
        boolean ours = name.startsWith("io/dovetail/")
            || name.startsWith("org/apache/spark/shuffle/dovetail/");
        if (!ours) {
          foreign.add(name);
        }
      }
      assertThat(classes).isGreaterThan(1000);
      assertThat(foreign).as("classes outside Dovetail's packages").isEmpty();
      for (String lib : List.of("io/netty/", "com/google/protobuf/", "com/google/common/",
          "io/grpc/")) {
        assertThat(jar.getEntry(PREFIX + lib)).as("relocated " + lib).isNotNull();
      }
      assertThat(jar.getEntry("org/rocksdb/RocksDB.class"))
          .as("RocksDB comes from Spark's own jars").isNull();
      assertThat(jar.getEntry("META-INF/services/io.dovetail.common.local.LocalClusterProvider"))
          .as("embedded mode is in the jar").isNotNull();
    }
  }

  @Test
  void theRelocatedTransportRunsOnNioWithoutNativeLibraries() throws Exception {
    try (JarFile jar = new JarFile(SparkStandaloneCluster.pluginJar().toFile())) {
      assertThat(Collections.list(jar.entries())).extracting(JarEntry::getName)
          .noneMatch(n -> n.startsWith("META-INF/native/") && n.length() > "META-INF/native/".length());
    }
    // The jar alone plus what Spark provides it with (SLF4J).
    URL url = SparkStandaloneCluster.pluginJar().toUri().toURL();
    URL slf4j = org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {url, slf4j},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> utils = Class.forName("io.dovetail.common.transport.NettyUtils", true, loader);
      assertThat((boolean) utils.getMethod("useEpoll", String.class).invoke(null, "AUTO"))
          .as("no native epoll inside Spark: NIO, as Spark's own shuffle uses").isFalse();
    }
  }
}
