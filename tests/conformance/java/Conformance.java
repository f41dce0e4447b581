// Java peers for the conformance harness (tests/conformance). One JVM serves a whole run: it reads
// tab-separated requests from stdin, one per line, and answers each with one line, "OK" or
// "ERR <message>".
//
//   capgo   ZIP OUT   unzip ZIP the way @capgo/capacitor-updater 8.51.23 does on Android, then
//                     re-root it into OUT (which must not exist) like the plugin does
//   zipfile ZIP OUT   a plain java.util.zip.ZipFile extraction (central directory) into OUT
//   write   DIR ZIP   write DIR's files into ZIP with java.util.zip.ZipOutputStream
//
// The "capgo" mode models android/src/main/java/ee/forgr/capacitor_updater/CapgoUpdater.java of
// the plugin (the package in node_modules/@capgo/capacitor-updater): `unzip` (a loop over
// ZipInputStream.getNextEntry, each name resolved by `resolvePathInsideDirectory`, parent
// directories made with mkdirs, files written with FileOutputStream, directory entries skipped)
// and `flattenAssets` (list the extracted folder with the plugin's FilenameFilter, which hides
// names starting with "__MACOSX" or "."; exactly one visible entry that is not "index.html" is
// renamed to be the bundle, otherwise the whole folder is). Written from reading that source.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.zip.*;

public class Conformance {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String[] a = line.split("\t");
            try {
                switch (a[0]) {
                    case "capgo": capgo(new File(a[1]), new File(a[2])); break;
                    case "zipfile": zipFile(new File(a[1]), new File(a[2])); break;
                    case "write": write(new File(a[1]), new File(a[2])); break;
                    default: throw new IOException("unknown request " + a[0]);
                }
                out.println("OK");
            } catch (Throwable e) {
                out.println("ERR " + (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' '));
            }
        }
    }

    // The plugin's path rule: no empty name, no backslash or NUL, no ".." segment, not absolute,
    // and the canonical target must be a strict child of the canonical base.
    static File resolveInside(File base, String rel) throws IOException {
        if (rel == null || rel.isEmpty()) throw new IOException("Invalid empty path");
        if (rel.contains("\\") || rel.indexOf('\0') >= 0) throw new IOException("Invalid path separator");
        for (String seg : rel.split("/")) if (seg.equals("..")) throw new IOException("Path traversal segments are not allowed");
        if (new File(rel).isAbsolute()) throw new IOException("Absolute paths are not allowed");
        File cb = base.getCanonicalFile();
        File target = new File(cb, rel).getCanonicalFile();
        String prefix = cb.getPath().endsWith(File.separator) ? cb.getPath() : cb.getPath() + File.separator;
        if (!target.getPath().startsWith(prefix)) throw new IOException("Path escapes base directory: " + rel);
        return target;
    }

    static void capgo(File zip, File out) throws IOException {
        File work = new File(out.getPath() + ".capgo-work");
        File extracted = new File(work, "capgo_unzip_x");
        // CapgoUpdater.unzip: ZipInputStream over the downloaded file, local headers only.
        try (ZipInputStream zis = new ZipInputStream(new BufferedInputStream(new FileInputStream(zip)))) {
            byte[] buf = new byte[64 * 1024];
            ZipEntry e;
            while ((e = zis.getNextEntry()) != null) {
                File file = resolveInside(extracted, e.getName());
                File dir = e.isDirectory() ? file : file.getParentFile();
                if (!dir.isDirectory() && !dir.mkdirs()) throw new FileNotFoundException("Failed to ensure directory: " + dir);
                if (e.isDirectory()) continue;
                try (FileOutputStream os = new FileOutputStream(file)) {
                    int n;
                    while ((n = zis.read(buf)) != -1) os.write(buf, 0, n);
                }
            }
        }
        // CapgoUpdater.flattenAssets(extractedDir, bundleDir).
        if (!extracted.exists()) throw new FileNotFoundException("Source file not found: " + extracted);
        String[] visible = extracted.list((d, n) -> !n.startsWith("__MACOSX") && !n.startsWith(".") && !n.startsWith(".DS_Store"));
        if (visible == null || visible.length == 0) throw new IOException("Source file was not a directory or was empty");
        if (out.exists() && !out.delete()) throw new IOException("output folder is not empty: " + out);
        if (visible.length == 1 && !"index.html".equals(visible[0])) {
            File child = new File(extracted, visible[0]);
            if (!child.renameTo(out)) throw new IOException("Failed to move bundle contents");
            if (!out.isDirectory()) throw new IOException("the bundle is the file " + visible[0] + ", not a folder (a lone top-level file was re-rooted)");
        } else {
            if (!extracted.renameTo(out)) throw new IOException("Failed to move bundle contents");
        }
    }

    static void zipFile(File zip, File out) throws IOException {
        try (ZipFile zf = new ZipFile(zip)) {
            Enumeration<? extends ZipEntry> en = zf.entries();
            byte[] buf = new byte[64 * 1024];
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                File file = resolveInside(out, e.getName());
                if (e.isDirectory()) {
                    if (!file.isDirectory() && !file.mkdirs()) throw new IOException("cannot make directory " + e.getName());
                    continue;
                }
                File dir = file.getParentFile();
                if (!dir.isDirectory() && !dir.mkdirs()) throw new IOException("cannot make directory for " + e.getName());
                try (InputStream is = zf.getInputStream(e); FileOutputStream os = new FileOutputStream(file)) {
                    int n;
                    while ((n = is.read(buf)) != -1) os.write(buf, 0, n);
                }
            }
        }
    }

    // Files only, sorted, deflated, with data descriptors (ZipOutputStream's streaming default).
    static void write(File dir, File zip) throws IOException {
        List<Path> files = new ArrayList<>();
        try (var s = Files.walk(dir.toPath())) { s.filter(Files::isRegularFile).sorted().forEach(files::add); }
        try (ZipOutputStream zos = new ZipOutputStream(new FileOutputStream(zip), StandardCharsets.UTF_8)) {
            for (Path p : files) {
                zos.putNextEntry(new ZipEntry(dir.toPath().relativize(p).toString().replace(File.separatorChar, '/')));
                zos.write(Files.readAllBytes(p));
                zos.closeEntry();
            }
        }
    }
}
