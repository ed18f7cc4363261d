/** Wire types of the archive (`docker cp`) routes. */

/** Archive path stat (the X-Docker-Container-Path-Stat header, base64 JSON): Go's os.FileMode bits in `mode`. */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}
