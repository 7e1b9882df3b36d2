/**
 * What a handset can show: the largest image and the largest whole message. The defaults follow
 * the OMA MMS conformance content classes (../shared/mm7/NOTES.md): Image Basic 30 KB / 160x120,
 * Image Rich 100 KB / 640x480, Video Rich 300 KB / 640x480 (the size every operator handles).
 */
export interface HandsetProfile {
  readonly name: string;
  readonly maxWidth: number;
  readonly maxHeight: number;
  readonly maxMessageBytes: number;
  readonly imageTypes: readonly string[];
}

const ALL_IMAGES = ['image/png', 'image/gif', 'image/jpeg'] as const;

export const HANDSET_PROFILES = {
  imageBasic: { name: 'image-basic', maxWidth: 160, maxHeight: 120, maxMessageBytes: 30_000, imageTypes: ALL_IMAGES },
  imageRich: { name: 'image-rich', maxWidth: 640, maxHeight: 480, maxMessageBytes: 100_000, imageTypes: ALL_IMAGES },
  videoRich: { name: 'video-rich', maxWidth: 640, maxHeight: 480, maxMessageBytes: 300_000, imageTypes: ALL_IMAGES },
} as const satisfies Record<string, HandsetProfile>;

/** Where nothing is known of the handset: Image Rich, which every MMS phone of the last decade meets. */
export const GENERIC_PROFILE: HandsetProfile = HANDSET_PROFILES.imageRich;

/** Handset names (DEVICE, or the UAProf a delivery report gave) to a profile, first match wins. */
const DEVICE_RULES: ReadonlyArray<readonly [RegExp, HandsetProfile]> = [
  [/iphone|ios|android|smartphone|pixel|galaxy/i, HANDSET_PROFILES.videoRich],
  [/basic|feature|s40|kaios|classic/i, HANDSET_PROFILES.imageBasic],
];

/** The profile for the DEVICE parameter, else the last handset reported for the number, else generic. */
export function chooseHandsetProfile(device: string | null | undefined, lastKnownHandset: string | null | undefined): HandsetProfile {
  for (const name of [device, lastKnownHandset]) {
    if (!name) continue;
    const rule = DEVICE_RULES.find(([pattern]) => pattern.test(name));
    if (rule) return rule[1];
  }
  return GENERIC_PROFILE;
}
