package io.dovetail.cli.demo;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How Spark's processes are launched from a SPARK_HOME that is just a directory of jars (what
 * {@code bin/spark-class} would do): the JVM options Java 17 needs and an environment that keeps
 * every socket on loopback and ignores any Spark or Hadoop settings of the caller's environment.
 * Stateless.
 */
public final class SparkRuntime {
  /** Spark's own list for Java 17 (org.apache.spark.launcher.JavaModuleOptions). */
  public static final List<String> JVM_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-modules=jdk.incubator.vector",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");

  private SparkRuntime() {}

  /**
   * The environment of a Spark process bound to {@code host}: SPARK_* and HADOOP_* variables of
   * the caller are removed (a {@code null} value removes), then ours set.
   */
  public static Map<String, String> environment(Distribution dist, String host) {
    Map<String, String> env = new HashMap<>();
    for (String name : System.getenv().keySet()) {
      if (name.startsWith("SPARK_") || name.startsWith("PYSPARK_") || name.startsWith("HADOOP_")
          || name.equals("YARN_CONF_DIR")) {
        env.put(name, null);
      }
    }
    env.put("SPARK_HOME", dist.sparkHome().toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", host);
    env.put("SPARK_LOCAL_HOSTNAME", host);
    return env;
  }
}
