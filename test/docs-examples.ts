/**
 * The API docs' example request, byte for byte as ../shared/skycore/examples/sendMMSBarcode.request.xml
 * (odd indentation and the padded ACTION included): partners send exactly this.
 */
export const DOCS_EXAMPLE_REQUEST = `<REQUEST>
\t<ACTION> sendMMSBarcode </ACTION>
\t<API_KEY>qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ</API_KEY>
\t<TO>16501234123</TO>
        <FROM>60856</FROM>
        <DATABASEID>17856</DATABASEID>
        <BARCODEID>Ticket_12345</BARCODEID>
        <CAMPAIGNREF>12333</CAMPAIGNREF>
\t<MMSID>35674</MMSID>
</REQUEST>
`;

/** The value of one element of a RESPONSE document. */
export function responseField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
