#!/usr/bin/env bash
# Builds the Watchtower Java client: build/watchtower-client.jar (Java 8 bytecode, no dependencies)
# and build/watchtower-client-sources.jar. With --javadoc, also build/watchtower-client-javadoc.jar.
set -euo pipefail
cd "$(dirname "$0")"

javadoc=false
for arg in "$@"; do
    case "$arg" in
        --javadoc) javadoc=true ;;
        *) echo "usage: $0 [--javadoc]" >&2; exit 2 ;;
    esac
done

version=$(sed -n 's/.*String VERSION = "\(.*\)";.*/\1/p' src/main/java/io/watchtower/client/WatchtowerClient.java)
rm -rf build/classes build/javadoc build/watchtower-client*.jar
mkdir -p build/classes

find src/main/java -name '*.java' > build/main-sources.txt
javac --release 8 -encoding UTF-8 -Xlint:all,-options -d build/classes @build/main-sources.txt

cat > build/MANIFEST.MF <<MANIFEST
Automatic-Module-Name: io.watchtower.client
Implementation-Title: watchtower-client
Implementation-Version: $version
MANIFEST
jar cfm build/watchtower-client.jar build/MANIFEST.MF -C build/classes .
jar cf build/watchtower-client-sources.jar -C src/main/java .

if $javadoc; then
    javadoc -quiet --release 8 -encoding UTF-8 -Xdoclint:all,-missing -d build/javadoc @build/main-sources.txt
    jar cf build/watchtower-client-javadoc.jar -C build/javadoc .
fi

echo "built build/watchtower-client.jar (version $version)"
