import type { DesiredState } from './types.js';

/**
 * Makes the equal strings of a desired state's appliances and documents one string each, in place,
 * and returns the same object: label values, appliance names (the documents repeat them), kinds and
 * file names; an Appliance document's labels become its appliance's labels object when equal. A
 * desired state that crossed from another thread (structured clone) or came out of the YAML loader
 * holds a string of its own for each of them, although a fleet has a few dozen distinct label values,
 * kinds and files: at 100,000 appliances with four labels, label values alone were about 10 MB of a
 * 26 MB desired state, and every document carried its own copy of its kind, name, file and labels.
 * Only for a desired state this thread has just received and nothing has read yet: the values are
 * replaced by equal ones, so nothing a reader can see changes, but an object keyed by identity (the
 * reconcile cache's index) is best built after.
 */
export function shareRepeatedStrings(desired: DesiredState): DesiredState {
  const strings = new Map<string, string>();
  const share = (value: string): string => {
    const known = strings.get(value);
    if (known !== undefined) return known;
    strings.set(value, value);
    return value;
  };
  const shareValues = (labels: Record<string, string>) => {
    for (const key in labels) labels[key] = share(labels[key] as string);
  };
  const labelsOf = new Map<string, Record<string, string>>();
  for (const appliance of desired.appliances) {
    appliance.name = share(appliance.name);
    shareValues(appliance.labels);
    labelsOf.set(appliance.name, appliance.labels);
  }
  for (const object of desired.objects) {
    object.kind = share(object.kind) as typeof object.kind;
    object.name = share(object.name);
    object.source.file = share(object.source.file);
    shareValues(object.labels);
    // An Appliance document's labels are its appliance's: one object for both when they are equal.
    const same = object.kind === 'Appliance' ? labelsOf.get(object.name) : undefined;
    if (same && sameLabels(same, object.labels)) object.labels = same;
  }
  return desired;
}

/** Equal entries in the same order (the order shows in the JSON the store saves). */
function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const [keys, others] = [Object.keys(a), Object.keys(b)];
  return keys.length === others.length && keys.every((key, i) => key === others[i] && a[key] === b[key]);
}
