/**
 * The NoCloud config drive the bot writes itself for cloud-init and Flatcar guests (config-drive.md §8):
 * a 4 MiB whole-disk FAT volume built with js-fatfs (FatFs compiled to WebAssembly; `FM_FAT | FM_SFD`
 * so there is no partition table), holding `user-data`, `meta-data`, `network-config`, and — as Xen
 * Orchestra does — the OpenStack layout too. Neither FAT library can set a volume label Linux sees, so
 * the label is written by hand in both places (the boot sector and a root-directory entry): without
 * the second, udev makes no /dev/disk/by-label link and Flatcar never finds the drive.
 */
import * as FatFs from 'js-fatfs'

/** A 2 MiB multiple (XAPI rounds VDIs up to one), with room for user-data stored twice. */
export const DRIVE_BYTES = 4 * 1024 * 1024
const SECTOR = 512

export type DriveLabel = 'cidata' | 'config-2'

export interface DriveFiles {
  readonly [path: string]: string | Uint8Array
}

/** One FatFs instance per process (its WebAssembly start costs ~20 ms); builds swap the target disk. */
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
      write: (ff, _drive, buff, sector, count) => {
        disk.set(ff.HEAPU8.subarray(buff, buff + count * SECTOR), sector * SECTOR)
        return FatFs.RES_OK
      },
      ioctl: (ff, _drive, cmd, buff) => {
        if (cmd === FatFs.CTRL_SYNC) return FatFs.RES_OK
        if (cmd === FatFs.GET_SECTOR_COUNT) ff.setValue(buff, disk.length / SECTOR, 'i32')
        else if (cmd === FatFs.GET_SECTOR_SIZE) ff.setValue(buff, SECTOR, 'i16')
        else if (cmd === FatFs.GET_BLOCK_SIZE) ff.setValue(buff, 1, 'i32')
        else return FatFs.RES_PARERR
        return FatFs.RES_OK
      },
    },
  })
  return instance
}

class DriveError extends Error {
  constructor(what: string, code: number) {
    super(`writing the config drive failed: ${what} returned FatFs error ${code}`)
    this.name = 'DriveError'
  }
}

const ok = (what: string, code: number) => {
  if (code !== FatFs.FR_OK) throw new DriveError(what, code)
}

/** Builds the image; every FatFs call is checked, and a short write is an error (FatFs reports it as FR_OK). */
export async function buildConfigDrive(options: {
  readonly label: DriveLabel
  readonly files: DriveFiles
  readonly sizeBytes?: number | undefined
}): Promise<Buffer> {
  const size = options.sizeBytes ?? DRIVE_BYTES
  const payload = Object.values(options.files).reduce(
    (n, f) => n + (typeof f === 'string' ? Buffer.byteLength(f) : f.length),
    0,
  )
  // FAT and directory overhead is small; refuse before FatFs silently writes a short file.
  if (payload > size - 256 * 1024)
    throw new Error(`config drive contents (${payload} bytes) do not fit in ${size} bytes`)
  const ff = await fatfs()
  // Everything below is synchronous: no other build can swap `disk` in between.
  disk = new Uint8Array(size)
  const image = disk
  const work = ff.malloc(FatFs.FF_MAX_SS)
  const volume = ff.malloc(FatFs.sizeof_FATFS)
  const file = ff.malloc(FatFs.sizeof_FIL)
  const written = ff.malloc(4)
  try {
    ok(
      'f_mkfs',
      ff.f_mkfs(
        '',
        { fmt: FatFs.FM_FAT | FatFs.FM_SFD, n_fat: 2, align: 0, n_root: 512, au_size: 0 },
        work,
        FatFs.FF_MAX_SS,
      ),
    )
    ok('f_mount', ff.f_mount(volume, '', 1))
    const made = new Set<string>()
    for (const [path, content] of Object.entries(options.files)) {
      const parts = path.split('/')
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/')
        if (!made.has(dir)) ok(`f_mkdir ${dir}`, ff.f_mkdir(dir))
        made.add(dir)
      }
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
      ok(`f_open ${path}`, ff.f_open(file, path, FatFs.FA_WRITE | FatFs.FA_CREATE_ALWAYS))
      const data = ff.malloc(Math.max(1, bytes.length))
      try {
        ff.HEAPU8.set(bytes, data)
        ok(`f_write ${path}`, ff.f_write(file, data, bytes.length, written))
        const count = ff.getValue(written, 'i32')
        if (count !== bytes.length)
          throw new Error(`config drive full: ${count} of ${bytes.length} bytes of ${path} written`)
      } finally {
        ff.free(data)
      }
      ok(`f_close ${path}`, ff.f_close(file))
    }
    ok('f_unmount', ff.f_unmount(''))
  } finally {
    for (const pointer of [work, volume, file, written]) ff.free(pointer)
  }
  const out = Buffer.from(image.buffer, image.byteOffset, image.byteLength)
  writeVolumeLabel(out, options.label)
  return out
}

/**
 * Writes `label` (lower case, space-padded to 11 bytes) into the FAT12/16 boot sector (BS_VolLab at 43)
 * and into a root-directory entry with the volume-id attribute (config-drive.md §2): the same bytes in
 * both places, as `mkfs.vfat -n` does.
 */
export function writeVolumeLabel(image: Buffer, label: string): void {
  if (!/^[a-z0-9-]{1,11}$/.test(label)) throw new Error(`unsupported volume label "${label}"`)
  const name = Buffer.from(label.padEnd(11, ' '), 'ascii')
  if (image.readUInt16LE(22) === 0) throw new Error('not a FAT12/16 volume (FAT32 keeps its label elsewhere)')
  name.copy(image, 43)
  const rootStart = rootDirectoryOffset(image)
  const entries = image.readUInt16LE(17)
  for (let i = 0; i < entries; i++) {
    const at = rootStart + i * 32
    const first = image[at]
    // A volume-label entry already there (not a long-name part, attribute 0x0f) is overwritten.
    const attribute = image[at + 11] ?? 0
    const isLabel = first !== 0 && first !== 0xe5 && (attribute & 0x3f) === 0x08
    if (first === 0 || first === 0xe5 || isLabel) {
      image.fill(0, at, at + 32)
      name.copy(image, at)
      image[at + 11] = 0x08
      return
    }
  }
  throw new Error('the root directory is full; no room for the volume label')
}

/** Byte offset of the FAT12/16 root directory: reserved sectors + FATs × sectors per FAT. */
export function rootDirectoryOffset(image: Buffer): number {
  const bytesPerSector = image.readUInt16LE(11)
  const reserved = image.readUInt16LE(14)
  const fats = image[16] ?? 0
  const fatSectors = image.readUInt16LE(22)
  return (reserved + fats * fatSectors) * bytesPerSector
}

/** The NoCloud files (and the OpenStack copy Xen Orchestra writes beside them) for one VM. */
export function noCloudFiles(options: {
  readonly vmUuid: string
  readonly hostname: string
  readonly userData: string
}): DriveFiles {
  const metaData = `instance-id: ${options.vmUuid}\nlocal-hostname: ${options.hostname}\n`
  // netplan v2: DHCP on the first Ethernet device, whatever the image names it (eth0, enX0…).
  const networkConfig = 'version: 2\nethernets:\n  primary:\n    match:\n      name: "e*"\n    dhcp4: true\n'
  return {
    'meta-data': metaData,
    'user-data': options.userData,
    'network-config': networkConfig,
    'openstack/latest/meta_data.json': `${JSON.stringify({ uuid: options.vmUuid, hostname: options.hostname })}\n`,
    'openstack/latest/user_data': options.userData,
  }
}

/** What cloud-init's `local-hostname` may be: the VM name, lower case, letters, digits and dashes. */
export const hostnameOf = (vmName: string) =>
  vmName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63) || 'vm'
