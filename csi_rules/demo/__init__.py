"""`csi-rules demo`: everything csi-rules does, offline, against emulators on loopback."""
