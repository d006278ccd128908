/** The augmentation the augment benchmark measures: its own module, so that naming it does not start the child's run. */
export const AUGMENT_SETTINGS = { translate: 2, flip: true, cutout: 8 } as const;
