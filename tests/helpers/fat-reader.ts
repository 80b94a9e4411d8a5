/**
 * Reading a FAT image back with `fatfs`, the implementation the bot does not write with (it writes with
 * js-fatfs): every file by path, and the volume label as the boot sector and the root directory hold it,
 * read byte by byte because neither library exposes labels (config-drive.md §5).
 */
import { promisify } from 'node:util'
import { createFileSystem, type FatFileSystem } from 'fatfs'

const SECTOR = 512

function open(image: Buffer): Promise<FatFileSystem> {
  return new Promise((resolve, reject) => {
    const fs = createFileSystem(
      {
        sectorSize: SECTOR,
        numSectors: image.length / SECTOR,
        readSectors: (index, dest, cb) => {
          image.copy(dest, 0, index * SECTOR, index * SECTOR + dest.length)
          cb(null)
        },
      },
      { ro: true },
    )
    fs.once('ready', () => resolve(fs))
    fs.once('error', reject)
  })
}

/**
 * The root directory's names, and the files at `paths` (`user-data`, `openstack/latest/user_data`).
 * Files are read by path: a short name such as `latest` is stored in 8.3 form with FAT's lower-case flag,
 * which Linux honours and fatfs does not (it lists `LATEST`), but fatfs finds it by name all the same.
 */
export async function readImage(
  image: Buffer,
  paths: readonly string[],
): Promise<{ root: string[]; files: Record<string, Buffer | undefined> }> {
  const fs = await open(image)
  const readdir = promisify(fs.readdir.bind(fs))
  const readFile = promisify(fs.readFile.bind(fs))
  const files: Record<string, Buffer | undefined> = {}
  for (const path of paths) files[path] = await readFile(path).catch(() => undefined)
  return { root: await readdir('/'), files }
}

/** The label in the boot sector (bytes 43–53) and in the root directory's volume-label entry. */
export function readLabels(image: Buffer): {
  boot: string
  root: string | null
  rawBoot: string
  rawRoot: string | null
} {
  const rawBoot = image.toString('latin1', 43, 54)
  const start = (image.readUInt16LE(14) + (image[16] ?? 0) * image.readUInt16LE(22)) * image.readUInt16LE(11)
  for (let i = 0; i < image.readUInt16LE(17); i++) {
    const at = start + i * 32
    if (image[at] === 0) break
    if (image[at] !== 0xe5 && ((image[at + 11] ?? 0) & 0x3f) === 0x08) {
      const rawRoot = image.toString('latin1', at, at + 11)
      return { boot: rawBoot.trimEnd(), root: rawRoot.trimEnd(), rawBoot, rawRoot }
    }
  }
  return { boot: rawBoot.trimEnd(), root: null, rawBoot, rawRoot: null }
}

/** Both FAT copies, for the check that they are identical. */
export function fatCopies(image: Buffer): [Buffer, Buffer] {
  const bytesPerSector = image.readUInt16LE(11)
  const reserved = image.readUInt16LE(14) * bytesPerSector
  const size = image.readUInt16LE(22) * bytesPerSector
  return [image.subarray(reserved, reserved + size), image.subarray(reserved + size, reserved + 2 * size)]
}
