"""Published EPCIS event hash vectors: events with the IDs the GS1 reference computes.

From RalphTro/epcis-event-hash-generator (MIT licence), the reference implementation the CBV 2.0
event hash section points to, as its history holds them (the repository has moved its test
material between layouts; each file is cited at the commit it was read from):

- the events of ``tests/examples/documents/epcisDocWithVariousEventTypes.jsonld`` (commit
  ``084b00349014d1b7e269b28293be89ac59587638``) with the IDs of
  ``tests/examples/expected/CBV2.0/epcisDocWithVariousEventTypes.hashes`` (commit
  ``d8d87463abab6923d595b08c445c93b2b4aa2207``);
- the error-declared event of
  ``tests/examples/documents/epcisDocWithXMLstartTagAndErrorDeclaration.jsonld`` with
  ``tests/examples/expected/CBV2.0/epcisDocWithXMLstartTagAndErrorDeclaration.prehashes`` and
  ``.hashes`` (both commit ``d8d87463abab6923d595b08c445c93b2b4aa2207``).

Those IDs follow the CBV's property table (``order="table"``): sources before destinations.
The same repository's ``tests/examples/epcisDocWithVariousEventTypes.hashes`` at commit
``5d2f1c389a1599af40fe1b530b62e0ca59ab818f`` gives other IDs to the first two events (the two
with both a source and a destination list), computed with the business transactions, sources
and destinations sorted as one group (``order="ralphtro"``); ``test_hash_external.py`` checks
those against the copy in ``shared/research/refdata/external``. The vectors are kept here, in
the repository, so the default order is pinned even where that folder is absent.
"""

from __future__ import annotations

from typing import Any

#: The ``@context`` of the document the events come from (it redeclares ``cbvmda``).
CONTEXT: list[Any] = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"example": "https://ns.example.com/epcis/"},
    {"cbvmda": "urn:epcglobal:cbv:mda:"},
]

#: (event, expected hash ID) pairs covering Object, Aggregation, Transaction and
#: Transformation events, quantity lists, ILMD, source/destination and business transactions.
VECTORS: list[tuple[dict[str, Any], str]] = [
    (
        {
            "type": "ObjectEvent",
            "eventTime": "2019-10-21T11:00:30.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:5200001.0111111146"],
            "action": "OBSERVE",
            "bizStep": "departing",
            "readPoint": {"id": "urn:epc:id:sgln:5200001.99901.0"},
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:4711"},
                {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:RE1099"},
            ],
            "sourceList": [{"type": "possessing_party", "source": "urn:epc:id:pgln:5200001.00000"}],
            "destinationList": [
                {"type": "possessing_party", "destination": "urn:epc:id:pgln:4000001.98765"},
                {"type": "location", "destination": "urn:epc:id:sgln:4012345.00012.0"},
            ],
        },
        "ni:///sha-256;253f0178f96349eedc207505b49044a602129605cf692e3d9f1f36c8bd1dfb0d?ver=CBV2.0",
    ),
    (
        {
            "type": "ObjectEvent",
            "eventTime": "2019-10-21T12:00:30.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:5200001.0111111146"],
            "action": "OBSERVE",
            "bizStep": "receiving",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00012.0"},
            "bizTransactionList": [
                {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:4711"},
                {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:5200001000008:RE1099"},
            ],
            "sourceList": [
                {"type": "possessing_party", "source": "urn:epc:id:pgln:4000001.00012"},
                {"type": "owning_party", "source": "urn:epc:id:pgln:4000001.00012"},
            ],
            "destinationList": [
                {"type": "possessing_party", "destination": "urn:epc:id:pgln:4012345.00000"},
                {"type": "owning_party", "destination": "urn:epc:id:pgln:4012345.00000"},
                {"type": "location", "destination": "urn:epc:id:sgln:4012345.00012.0"},
            ],
        },
        "ni:///sha-256;ef43acf0e69951f79739f603f714893784648a41bac3f58035b5830a978a2631?ver=CBV2.0",
    ),
    (
        {
            "type": "ObjectEvent",
            "eventTime": "2019-10-21T15:45:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "epcList": ["urn:epc:id:sscc:4012345.0111111111"],
            "action": "OBSERVE",
            "bizStep": "inspecting",
            "disposition": "in_progress",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00024.0"},
        },
        "ni:///sha-256;c50842eb714406394a77fb7b517fea621c78a61f65549874de7c9e019afe7b6f?ver=CBV2.0",
    ),
    (
        {
            "type": "ObjectEvent",
            "eventTime": "2019-10-21T14:58:56.000+02:00",
            "eventTimeZoneOffset": "+02:00",
            "quantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:4054739.099914.20160711",
                    "quantity": 600,
                    "uom": "KGM",
                }
            ],
            "action": "ADD",
            "bizStep": "commissioning",
            "readPoint": {"id": "urn:epc:id:sgln:4054739.00001.0"},
            "ilmd": {"cbvmda:bestBeforeDate": "2019-10-21"},
        },
        "ni:///sha-256;5f396ea5cb32fe4d0980cb79f5a5eb9640559e9f5a6cefa5c98a7d6ad554b50b?ver=CBV2.0",
    ),
    (
        {
            "type": "AggregationEvent",
            "eventTime": "2019-10-21T11:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "parentID": "urn:epc:id:sscc:4047023.0111111122",
            "childEPCs": [
                "urn:epc:id:sgtin:4047023.077551.98",
                "urn:epc:id:sgtin:4047023.077551.97",
                "urn:epc:id:sgtin:4047023.077551.107",
                "urn:epc:id:sgtin:4047023.077551.109",
            ],
            "action": "ADD",
            "bizStep": "packing",
            "readPoint": {"id": "urn:epc:id:sgln:4047023.00012.0"},
        },
        "ni:///sha-256;c941e6486c561c2be83c28dc228c150eaef9a6befb1015e6cc563982fb7414b6?ver=CBV2.0",
    ),
    (
        {
            "type": "AggregationEvent",
            "eventTime": "2019-10-21T17:30:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "parentID": "urn:epc:id:sscc:4012344.0111111133",
            "childQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:4054739.099902.P2", "quantity": 12, "uom": "KGM"},
                {"epcClass": "urn:epc:class:lgtin:4054739.012345.lot2", "quantity": 17},
            ],
            "action": "ADD",
            "bizStep": "packing",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00025.0"},
        },
        "ni:///sha-256;cfda50b7ff23682e989bafc3747ac9b752f405305fcde6618280f6be27344f35?ver=CBV2.0",
    ),
    (
        {
            "type": "AggregationEvent",
            "eventTime": "2019-10-21T11:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "parentID": "urn:epc:id:sscc:4012344.0111111144",
            "action": "DELETE",
            "bizStep": "unpacking",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00025.0"},
            "bizTransactionList": [
                {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE1099"}
            ],
        },
        "ni:///sha-256;c4bdb87c8d59d6ab569d0cfc6583e9dd4c314cdf71799b0ef8d4febe5239d9c5?ver=CBV2.0",
    ),
    (
        {
            "type": "AggregationEvent",
            "eventTime": "2019-10-21T14:02:56.000+02:00",
            "eventTimeZoneOffset": "+02:00",
            "parentID": "urn:epc:id:sscc:4012344.0998811122",
            "childEPCs": [
                "urn:epc:id:sscc:4012344.0998811123",
                "urn:epc:id:sscc:4012344.0998811124",
                "urn:epc:id:sscc:4012344.0998811125",
            ],
            "action": "DELETE",
            "bizStep": "unpacking",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00077.0"},
            "bizTransactionList": [
                {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:4711"}
            ],
        },
        "ni:///sha-256;a62b9f9e429fcba628ea47d073542ca67e9fbe4688df2c649b8cd13b8519b91f?ver=CBV2.0",
    ),
    (
        {
            "type": "TransactionEvent",
            "eventTime": "2019-10-21T00:05:00-06:00",
            "eventTimeZoneOffset": "-06:00",
            "epcList": ["urn:epc:id:sgtin:0614141.107340.1", "urn:epc:id:sgtin:0614141.107340.2"],
            "action": "ADD",
            "bizStep": "shipping",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00000.5"},
            "bizLocation": {"id": "urn:epc:id:sgln:4012345.00000.0"},
            "bizTransactionList": [
                {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE100099"}
            ],
        },
        "ni:///sha-256;cf6559dc931963f19ed9cd2fe33c02ef64c8cfd557e5a96b086a87db315b7122?ver=CBV2.0",
    ),
    (
        {
            "type": "TransactionEvent",
            "eventTime": "2019-10-21T14:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "quantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:4012345.099988.2014-02-10",
                    "quantity": 2030,
                    "uom": "KGM",
                }
            ],
            "action": "ADD",
            "bizStep": "holding",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00025.0"},
            "bizLocation": {"id": "urn:epc:id:sgln:4012345.00002.0"},
            "bizTransactionList": [
                {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:4012345123456:RE1099"}
            ],
        },
        "ni:///sha-256;b741a543ea0b2a4c4bdb3441c7dc196b41710e5b2c9870b211fac8d6d4c93427?ver=CBV2.0",
    ),
    (
        {
            "type": "TransformationEvent",
            "eventTime": "2019-10-21T14:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "inputEPCList": [
                "urn:epc:id:sgtin:4012345.011122.25",
                "urn:epc:id:sgtin:4000001.065432.99886655",
            ],
            "outputEPCList": [
                "urn:epc:id:sgtin:4012345.077889.25",
                "urn:epc:id:sgtin:4012345.077889.26",
                "urn:epc:id:sgtin:4012345.077889.27",
                "urn:epc:id:sgtin:4012345.077889.28",
            ],
            "transformationID": "urn:epc:id:gdti:4012345.55555.1234",
            "bizStep": "commissioning",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
            "ilmd": {"example:bestBeforeDate": "2020-11-10", "example:batch": "4711"},
        },
        "ni:///sha-256;335da6c3ab1d932824748791beec4d7ed261ed383f6849f6b8718e8fafb4d298?ver=CBV2.0",
    ),
    (
        {
            "type": "TransformationEvent",
            "eventTime": "2019-10-21T14:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "inputEPCList": [
                "urn:epc:id:sgtin:4012345.011122.25",
                "urn:epc:id:sgtin:4000001.065432.99886655",
            ],
            "outputEPCList": [
                "urn:epc:id:sgtin:4012345.077889.25",
                "urn:epc:id:sgtin:4012345.077889.26",
                "urn:epc:id:sgtin:4012345.077889.27",
                "urn:epc:id:sgtin:4012345.077889.28",
            ],
            "inputQuantityList": [
                {
                    "epcClass": "urn:epc:class:lgtin:4012345.011111.4444",
                    "quantity": 10,
                    "uom": "KGM",
                },
                {"epcClass": "urn:epc:class:lgtin:0614141.077777.987", "quantity": 30},
                {"epcClass": "urn:epc:idpat:sgtin:4012345.066666.*", "quantity": 220},
            ],
            "bizStep": "commissioning",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
            "ilmd": {"example:bestBeforeDate": "2015-11-10", "example:batch": "XYZ"},
        },
        "ni:///sha-256;36ab2ba0e3eac03d14a630148c63c31da00b8c4f1c311f501eb459e89a6e6350?ver=CBV2.0",
    ),
    (
        {
            "type": "TransformationEvent",
            "eventTime": "2019-10-21T14:58:56.591+02:00",
            "eventTimeZoneOffset": "+02:00",
            "inputEPCList": [
                "urn:epc:id:sgtin:4012345.011122.25",
                "urn:epc:id:sgtin:4000001.065432.99886655",
            ],
            "outputQuantityList": [
                {"epcClass": "urn:epc:class:lgtin:4054739.099902.P20131121", "quantity": 9520}
            ],
            "transformationID": "urn:epc:id:gdti:4012345.55555.1234",
            "bizStep": "http://epcis.example.com/user/vocab/bizstep/exampling",
            "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        },
        "ni:///sha-256;756558aa09b2d38c6bcb6e50eab2fcbebd9bde17362a7c4f4686a5d7f5fb013f?ver=CBV2.0",
    ),
]

#: An error-declared event: the declaration and the eventID stay out of the hash.
ERROR_DECLARED: dict[str, Any] = {
    "type": "TransformationEvent",
    "eventTime": "2020-01-14T00:00:00.000+01:00",
    "eventTimeZoneOffset": "+01:00",
    "eventID": "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
    "inputEPCList": ["urn:epc:id:sgtin:4012345.011111.987"],
    "outputEPCList": ["urn:epc:id:sgtin:4012345.033333.AGHFG"],
    "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.022222.87545GHGH"}],
    "outputQuantityList": [
        {"epcClass": "urn:epc:idpat:sgtin:4012345.044444.*", "quantity": 452.0, "uom": "KGM"}
    ],
    "bizStep": "commissioning",
    "readPoint": {"id": "urn:epc:id:sgln:4012345.00000.0"},
    "errorDeclaration": {
        "declarationTime": "2020-01-15T00:00:00.000+01:00",
        "reason": "incorrect_data",
        "example:vendorExtension": "Test1",
    },
}
ERROR_DECLARED_PREHASH = (
    "eventType=TransformationEventeventTime=2020-01-13T23:00:00.000ZeventTimeZoneOffset=+01:0"
    "0inputEPCListepc=https://id.gs1.org/01/04012345111118/21/987inputQuantityListquantityEle"
    "mentepcClass=https://id.gs1.org/01/04012345222227/10/87545GHGHoutputEPCListepc=https://i"
    "d.gs1.org/01/04012345333336/21/AGHFGoutputQuantityListquantityElementepcClass=https://id"
    ".gs1.org/01/04012345444445quantity=452uom=KGMbizStep=https://ref.gs1.org/cbv/BizStep-com"
    "missioningreadPointid=https://id.gs1.org/414/4012345000009"
)
ERROR_DECLARED_HASH = (
    "ni:///sha-256;e16ce101f3d7383612e00b74419b2d88f12baa6a124b0e390252d396687d5cf7?ver=CBV2.0"
)

#: The IDs ``tests/examples/epcisDocWithVariousEventTypes.hashes`` of the same repository at
#: commit ``5d2f1c389a1599af40fe1b530b62e0ca59ab818f`` gives the first two :data:`VECTORS`
#: (``order="ralphtro"``: destinations sorted before sources); the other eleven are the same.
RALPHTRO_IDS = {
    0: "ni:///sha-256;25be54b3d29f31ef9b4e62d62e7610f5d186369ba6eabb5e70ba9884153792a7?ver=CBV2.0",
    1: "ni:///sha-256;b28bf72f1bb227fbf583c8e062dc6c52689849a5f6ea4fa290eaede62f345eab?ver=CBV2.0",
}
