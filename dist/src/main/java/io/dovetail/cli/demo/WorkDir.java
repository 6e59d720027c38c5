package io.dovetail.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The demo's working directory. Only the subdirectories named here are ever created or deleted,
 * so pointing {@code --work-dir} at a directory with other files in it is safe.
 *
 * <pre>
 * data/       input and sorted outputs (deleted at the end unless --keep)
 * store/      the metadata server's database and the storage servers' files (idem)
 * spark/      Spark's scratch space: shuffle files, spills (idem)
 * logs/       every process's log; executors' under logs/executors/APP/N/
 * run/        port files
 * reports/    each Spark application's report
 * comparison.png, comparison.txt
 * </pre>
 *
 * Immutable.
 */
public record WorkDir(Path root) {
  public WorkDir {
    root = root.toAbsolutePath().normalize();
  }

  public Path data() {
    return root.resolve("data");
  }

  public Path input() {
    return data().resolve("input");
  }

  public Path output(String label) {
    return data().resolve("output-" + label);
  }

  public Path store() {
    return root.resolve("store");
  }

  public Path spark() {
    return root.resolve("spark");
  }

  public Path logs() {
    return root.resolve("logs");
  }

  public Path log(String name) {
    return logs().resolve(name + ".log");
  }

  public Path run() {
    return root.resolve("run");
  }

  public Path reports() {
    return root.resolve("reports");
  }

  public Path chart() {
    return root.resolve("comparison.png");
  }

  public Path table() {
    return root.resolve("comparison.txt");
  }

  /** Removes what an earlier run left and creates the directories. */
  public void prepare() {
    for (Path p : new Path[] {data(), store(), spark(), logs(), run(), reports()}) {
      delete(p);
    }
    try {
      Files.deleteIfExists(chart());
      Files.deleteIfExists(table());
      for (Path p : new Path[] {data(), store(), spark(), logs(), run(), reports()}) {
        Files.createDirectories(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + root, e);
    }
  }

  /** Deletes the bulky directories: data, store files, Spark scratch. */
  public void deleteData() {
    delete(data());
    delete(store());
    delete(spark());
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.delete(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
