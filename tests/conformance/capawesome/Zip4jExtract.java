// zip4j's ZipFile.extractAll, called the way @capawesome/capacitor-live-update's Android code
// (LiveUpdate.unzipDownloadedBundle) calls it:
//   java -cp /usr/share/java/zip4j.jar:BUILD Zip4jExtract ZIP OUT keep|clear
// "clear": every FileHeader's external attributes set to null first (plugin >= 8.2.1);
// "keep": as they are (plugin < 8.2.1). Exit 0 and "ok" when extractAll returned; exit 1 and
// the exception on stderr otherwise. The index.html root search runs in JS afterwards.
import net.lingala.zip4j.ZipFile;
import net.lingala.zip4j.model.FileHeader;

public final class Zip4jExtract {
  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !(args[2].equals("keep") || args[2].equals("clear"))) {
      System.err.println("usage: Zip4jExtract ZIP OUT keep|clear");
      System.exit(2);
    }
    try (ZipFile zip = new ZipFile(args[0])) {
      if (args[2].equals("clear")) {
        for (FileHeader header : zip.getFileHeaders()) {
          header.setExternalFileAttributes(null);
        }
      }
      zip.extractAll(args[1]);
      System.out.println("ok");
    } catch (Exception e) {
      System.err.println(e.getClass().getName() + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
