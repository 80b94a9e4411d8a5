/**
 * How a simulated guest reads a config drive the bot uploaded: the raw VDI contents as a FAT volume,
 * read with js-fatfs (FatFs, a runtime dependency, as the simulator also runs outside tests), and its
 * volume label as Linux sees it. udev names /dev/disk/by-label after the root-directory label entry
 * (blkid's LABEL), never after the boot-sector copy alone (LABEL_FATBOOT), so a drive labelled only in
 * the boot sector is not found — the simulated guest is as strict as cloud-init and Flatcar are.
 */
import * as FatFs from 'js-fatfs'

const SECTOR = 512

export interface FatLabels {
  /** BS_VolLab of the FAT12/16 boot sector, trimmed; undefined when the image is no FAT12/16 volume. */
  readonly boot: string | undefined
  /** The root directory's volume-label entry, trimmed; undefined when there is none. */
  readonly root: string | undefined
}

export function readFatLabels(image: Buffer): FatLabels {
  if (image.length < SECTOR || image[510] !== 0x55 || image[511] !== 0xaa || image.readUInt16LE(22) === 0) {
    return { boot: undefined, root: undefined }
  }
  const boot = image.toString('latin1', 43, 54).trimEnd()
  const bytesPerSector = image.readUInt16LE(11)
  const start = (image.readUInt16LE(14) + (image[16] ?? 0) * image.readUInt16LE(22)) * bytesPerSector
  const entries = image.readUInt16LE(17)
  for (let i = 0; i < entries && start + (i + 1) * 32 <= image.length; i++) {
    const at = start + i * 32
    if (image[at] === 0) break
    if (image[at] === 0xe5 || ((image[at + 11] ?? 0) & 0x3f) !== 0x08) continue
    return { boot, root: image.toString('latin1', at, at + 11).trimEnd() }
  }
  return { boot, root: undefined }
}

/** The label `mount LABEL=…` and /dev/disk/by-label see: the root entry's (blkid's LABEL). */
export const linuxLabel = (image: Buffer) => readFatLabels(image).root

let instance: Promise<FatFs.FatFs> | undefined
let disk: Uint8Array = new Uint8Array(0)

function fatfs(): Promise<FatFs.FatFs> {
  instance ??= FatFs.create({
    diskio: {
      initialize: () => 0,
      status: () => 0,
      read: (ff, _drive, buff, sector, count) => {
        ff.HEAPU8.set(disk.subarray(sector * SECTOR, (sector + count) * SECTOR), buff)
        return FatFs.RES_OK
      },
      // The guest mounts its config drive read-only.
      write: () => FatFs.RES_WRPRT,
      ioctl: (ff, _drive, cmd, buff) => {
        if (cmd === FatFs.CTRL_SYNC) return FatFs.RES_OK
        if (cmd === FatFs.GET_SECTOR_COUNT) ff.setValue(buff, Math.floor(disk.length / SECTOR), 'i32')
        else if (cmd === FatFs.GET_SECTOR_SIZE) ff.setValue(buff, SECTOR, 'i16')
        else if (cmd === FatFs.GET_BLOCK_SIZE) ff.setValue(buff, 1, 'i32')
        else return FatFs.RES_PARERR
        return FatFs.RES_OK
      },
    },
  })
  return instance
}

/** Starts FatFs's WebAssembly now, so the first boot that reads a drive does not wait for it. */
export function warmUpFatReader(): void {
  void fatfs().catch(() => undefined)
}

/** Every file of the volume by path (`user-data`, `openstack/latest/user_data`); undefined if it is no FAT volume. */
export async function readFatFiles(image: Buffer): Promise<Record<string, Buffer> | undefined> {
  const ff = await fatfs()
  // Synchronous from here on: no other read can swap `disk` in between.
  disk = new Uint8Array(image.buffer, image.byteOffset, image.byteLength)
  const volume = ff.malloc(FatFs.sizeof_FATFS)
  const dir = ff.malloc(FatFs.sizeof_DIR)
  const info = ff.malloc(FatFs.sizeof_FILINFO)
  const file = ff.malloc(FatFs.sizeof_FIL)
  const count = ff.malloc(4)
  try {
    if (ff.f_mount(volume, '', 1) !== FatFs.FR_OK) return undefined
    const files: Record<string, Buffer> = {}
    const walk = (path: string, depth: number) => {
      if (depth > 8 || ff.f_opendir(dir, path === '' ? '/' : path) !== FatFs.FR_OK) return
      const found: { name: string; isDir: boolean; size: number }[] = []
      while (ff.f_readdir(dir, info) === FatFs.FR_OK) {
        const name = ff.FILINFO_fname(info)
        if (!name) break
        found.push({
          name,
          isDir: (ff.FILINFO_fattrib(info) & FatFs.AM_DIR) !== 0,
          size: ff.FILINFO_fsize(info),
        })
      }
      ff.f_closedir(dir)
      for (const entry of found) {
        const full = path === '' ? entry.name : `${path}/${entry.name}`
        if (entry.isDir) walk(full, depth + 1)
        else if (ff.f_open(file, full, FatFs.FA_READ) === FatFs.FR_OK) {
          const buffer = ff.malloc(Math.max(1, entry.size))
          ff.f_read(file, buffer, entry.size, count)
          files[full] = Buffer.from(ff.HEAPU8.slice(buffer, buffer + ff.getValue(count, 'i32')))
          ff.free(buffer)
          ff.f_close(file)
        }
      }
    }
    walk('', 0)
    ff.f_unmount('')
    return files
  } finally {
    for (const pointer of [volume, dir, info, file, count]) ff.free(pointer)
  }
}
