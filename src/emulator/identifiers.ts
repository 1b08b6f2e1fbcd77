// Communication identifiers as the REST API carries them (CommunicationIdentifierModel): raw ID ↔ wire model.

/** The wire model of a participant identifier. */
export interface IdentifierModel {
  kind?: string;
  rawId?: string;
  communicationUser?: { id: string };
  phoneNumber?: { value: string; isAnonymous?: boolean };
  microsoftTeamsUser?: { userId: string; isAnonymous?: boolean; cloud?: string };
  microsoftTeamsApp?: { appId: string; cloud?: string };
}

/** The raw ID of a wire identifier (what media packets carry as participantRawID). */
export function rawIdOf(model: IdentifierModel | undefined): string | undefined {
  if (!model) return undefined;
  if (model.rawId) return model.rawId;
  if (model.phoneNumber?.value) return `4:${model.phoneNumber.value}`;
  if (model.communicationUser?.id) return model.communicationUser.id;
  if (model.microsoftTeamsUser?.userId) return `8:orgid:${model.microsoftTeamsUser.userId}`;
  if (model.microsoftTeamsApp?.appId) return `28:orgid:${model.microsoftTeamsApp.appId}`;
  return undefined;
}

/** A raw ID for a phone number ("+1555…" → "4:+1555…") or a raw ID given as one (kept). */
export function rawIdOfNumber(value: string): string {
  return value.startsWith('+') ? `4:${value}` : value;
}

/** The wire identifier for a raw ID (docs/protocol.md §1 lists the shapes). */
export function identifierOf(rawId: string): IdentifierModel {
  if (rawId.startsWith('4:')) return { kind: 'phoneNumber', rawId, phoneNumber: { value: rawId.slice(2) } };
  if (/^8:(acs|spool|dod-acs|gcch-acs):/.test(rawId)) return { kind: 'communicationUser', rawId, communicationUser: { id: rawId } };
  if (rawId.startsWith('8:orgid:')) return { kind: 'microsoftTeamsUser', rawId, microsoftTeamsUser: { userId: rawId.slice(8), cloud: 'public' } };
  if (rawId.startsWith('28:orgid:')) return { kind: 'microsoftTeamsApp', rawId, microsoftTeamsApp: { appId: rawId.slice(9), cloud: 'public' } };
  return { kind: 'unknown', rawId };
}
