import io.atoll.build.pipeline.MavenMirror;
import java.nio.file.Path;

/**
 * bench/build's local Maven mirror: build-service's test MavenMirror (this machine's ~/.m2 over
 * HTTP, with what it lacks fetched from Maven Central once into the directory given), run on its
 * own. Prints its port, then serves until killed.
 *
 *   java -cp build-service/target/build-service-0.1.0-SNAPSHOT-tests.jar bench/build/Mirror.java DIR
 */
public class Mirror {
    public static void main(String[] args) throws Exception {
        MavenMirror mirror = MavenMirror.start(Path.of(args[0]));
        System.out.println(mirror.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
