// `node tests/support/install-app.mjs`: packs pkg/, installs the tarball into a fresh folder and
// prints the folder (scripts/test.sh removes it after the jobs that use it).
import { installedApp } from "./tarball.mjs";

console.log(installedApp("installed").dir);
