"""Grapheme clusters exactly as the oracle splits them (npm ``grapheme-splitter`` 1.0.4, Unicode 10
rules, quirks included), and UTF-16 lengths.

The property codes are the library's own numbering; the table of property runs is printed by
``node tests/data/make_segments_oracle.mjs --grapheme-table``.

Examples
--------
>>> from mfanalytics.messages.graphemes import split_graphemes, utf16_units
>>> split_graphemes("a🇫🇷👍🏽!")
['a', '🇫🇷', '👍🏽', '!']
>>> len(split_graphemes("e\\u0301"))  # a letter and its combining accent
1
>>> utf16_units("a😀")
3
"""

from __future__ import annotations

import bisect
import functools

__all__ = [
    "CR",
    "LF",
    "CONTROL",
    "EXTEND",
    "RI",
    "SPACINGMARK",
    "L",
    "V",
    "T",
    "LV",
    "LVT",
    "OTHER",
    "PREPEND",
    "E_BASE",
    "E_MODIFIER",
    "ZWJ",
    "GLUE_AFTER_ZWJ",
    "E_BASE_GAZ",
    "grapheme_runs",
    "grapheme_property",
    "split_graphemes",
    "utf16_units",
]

CR, LF, CONTROL, EXTEND, RI, SPACINGMARK, L, V, T, LV, LVT, OTHER = range(12)
PREPEND, E_BASE, E_MODIFIER, ZWJ, GLUE_AFTER_ZWJ, E_BASE_GAZ = range(12, 18)

# Runs "start:property" (hex code point, base-36 property), printed by
# ``node tests/data/make_segments_oracle.mjs --grapheme-table``.
_GRAPHEME_RUNS = """
0:2 a:1 b:2 d:0 e:2 20:b 7f:2 a0:b ad:2 ae:b 300:3 370:b 483:3 48a:b 591:3 5be:b 5bf:3 5c0:b 5c1:3 5c3:b
5c4:3 5c6:b 5c7:3 5c8:b 600:c 606:b 610:3 61b:b 61c:2 61d:b 64b:3 660:b 670:3 671:b 6d6:3 6dd:c 6de:b 6df:3 6e5:b 6e7:3
6e9:b 6ea:3 6ee:b 70f:c 710:b 711:3 712:b 730:3 74b:b 7a6:3 7b1:b 7eb:3 7f4:b 816:3 81a:b 81b:3 824:b 825:3 828:b 829:3
82e:b 859:3 85c:b 8d4:3 8e2:c 8e3:3 903:5 904:b 93a:3 93b:5 93c:3 93d:b 93e:5 941:3 949:5 94d:3 94e:5 950:b 951:3 958:b
962:3 964:b 981:3 982:5 984:b 9bc:3 9bd:b 9be:3 9bf:5 9c1:3 9c5:b 9c7:5 9c9:b 9cb:5 9cd:3 9ce:b 9d7:3 9d8:b 9e2:3 9e4:b
a01:3 a03:5 a04:b a3c:3 a3d:b a3e:5 a41:3 a43:b a47:3 a49:b a4b:3 a4e:b a51:3 a52:b a70:3 a72:b a75:3 a76:b a81:3 a83:5
a84:b abc:3 abd:b abe:5 ac1:3 ac6:b ac7:3 ac9:5 aca:b acb:5 acd:3 ace:b ae2:3 ae4:b afa:3 b00:b b01:3 b02:5 b04:b b3c:3
b3d:b b3e:3 b40:5 b41:3 b45:b b47:5 b49:b b4b:5 b4d:3 b4e:b b56:3 b58:b b62:3 b64:b b82:3 b83:b bbe:3 bbf:5 bc0:3 bc1:5
bc3:b bc6:5 bc9:b bca:5 bcd:3 bce:b bd7:3 bd8:b c00:3 c01:5 c04:b c3e:3 c41:5 c45:b c46:3 c49:b c4a:3 c4e:b c55:3 c57:b
c62:3 c64:b c81:3 c82:5 c84:b cbc:3 cbd:b cbe:5 cbf:3 cc0:5 cc2:3 cc3:5 cc5:b cc6:3 cc7:5 cc9:b cca:5 ccc:3 cce:b cd5:3
cd7:b ce2:3 ce4:b d00:3 d02:5 d04:b d3b:3 d3d:b d3e:3 d3f:5 d41:3 d45:b d46:5 d49:b d4a:5 d4d:3 d4e:c d4f:b d57:3 d58:b
d62:3 d64:b d82:5 d84:b dca:3 dcb:b dcf:3 dd0:5 dd2:3 dd5:b dd6:3 dd7:b dd8:5 ddf:3 de0:b df2:5 df4:b e31:3 e32:b e33:5
e34:3 e3b:b e47:3 e4f:b eb1:3 eb2:b eb3:5 eb4:3 eba:b ebb:3 ebd:b ec8:3 ece:b f18:3 f1a:b f35:3 f36:b f37:3 f38:b f39:3
f3a:b f3e:5 f40:b f71:3 f7f:5 f80:3 f85:b f86:3 f88:b f8d:3 f98:b f99:3 fbd:b fc6:3 fc7:b 102d:3 1031:5 1032:3 1038:b 1039:3
103b:5 103d:3 103f:b 1056:5 1058:3 105a:b 105e:3 1061:b 1071:3 1075:b 1082:3 1083:b 1084:5 1085:3 1087:b 108d:3 108e:b 109d:3 109e:b 1100:6
1160:7 11a8:8 1200:b 135d:3 1360:b 1712:3 1715:b 1732:3 1735:b 1752:3 1754:b 1772:3 1774:b 17b4:3 17b6:5 17b7:3 17be:5 17c6:3 17c7:5 17c9:3
17d4:b 17dd:3 17de:b 180b:3 180e:2 180f:b 1885:3 1887:b 18a9:3 18aa:b 1920:3 1923:5 1927:3 1929:5 192c:b 1930:5 1932:3 1933:5 1939:3 193c:b
1a17:3 1a19:5 1a1b:3 1a1c:b 1a55:5 1a56:3 1a57:5 1a58:3 1a5f:b 1a60:3 1a61:b 1a62:3 1a63:b 1a65:3 1a6d:5 1a73:3 1a7d:b 1a7f:3 1a80:b 1ab0:3
1abf:b 1b00:3 1b04:5 1b05:b 1b34:3 1b35:5 1b36:3 1b3b:5 1b3c:3 1b3d:5 1b42:3 1b43:5 1b45:b 1b6b:3 1b74:b 1b80:3 1b82:5 1b83:b 1ba1:5 1ba2:3
1ba6:5 1ba8:3 1baa:5 1bab:3 1bae:b 1be6:3 1be7:5 1be8:3 1bea:5 1bed:3 1bee:5 1bef:3 1bf2:5 1bf4:b 1c24:5 1c2c:3 1c34:5 1c36:3 1c38:b 1cd0:3
1cd3:b 1cd4:3 1ce1:5 1ce2:3 1ce9:b 1ced:3 1cee:b 1cf2:5 1cf4:3 1cf5:b 1cf7:5 1cf8:3 1cfa:b 1dc0:3 1dfa:b 1dfb:3 1e00:b 200b:2 200c:3 200d:f
200e:2 2010:b 2028:2 202f:b 2060:2 2070:b 20d0:3 20f1:b 261d:d 261e:b 2640:g 2641:b 2642:g 2643:b 2695:g 2697:b 26f9:d 26fa:b 2708:g 2709:b
270a:d 270e:b 2764:g 2765:b 2cef:3 2cf2:b 2d7f:3 2d80:b 2de0:3 2e00:b 302a:3 3030:b 3099:3 309b:b a66f:3 a673:b a674:3 a67e:b a69e:3 a6a0:b
a6f0:3 a6f2:b a802:3 a803:b a806:3 a807:b a80b:3 a80c:b a823:5 a825:3 a827:5 a828:b a880:5 a882:b a8b4:5 a8c4:3 a8c6:b a8e0:3 a8f2:b a926:3
a92e:b a947:3 a952:5 a954:b a960:6 a97d:b a980:3 a983:5 a984:b a9b3:3 a9b4:5 a9b6:3 a9ba:5 a9bc:3 a9bd:5 a9c1:b a9e5:3 a9e6:b aa29:3 aa2f:5
aa31:3 aa33:5 aa35:3 aa37:b aa43:3 aa44:b aa4c:3 aa4d:5 aa4e:b aa7c:3 aa7d:b aab0:3 aab1:b aab2:3 aab5:b aab7:3 aab9:b aabe:3 aac0:b aac1:3
aac2:b aaeb:5 aaec:3 aaee:5 aaf0:b aaf5:5 aaf6:3 aaf7:b abe3:5 abe5:3 abe6:5 abe8:3 abe9:5 abeb:b abec:5 abed:3 abee:b ac00:9 ac01:a ac1c:9
ac1d:a ac38:9 ac39:a ac54:9 ac55:a ac70:9 ac71:a ac8c:9 ac8d:a aca8:9 aca9:a acc4:9 acc5:a ace0:9 ace1:a acfc:9 acfd:a ad18:9 ad19:a ad34:9
ad35:a ad50:9 ad51:a ad6c:9 ad6d:a ad88:9 ad89:a ada4:9 ada5:a adc0:9 adc1:a addc:9 addd:a adf8:9 adf9:a ae14:9 ae15:a ae30:9 ae31:a ae4c:9
ae4d:a ae68:9 ae69:a ae84:9 ae85:a aea0:9 aea1:a aebc:9 aebd:a aed8:9 aed9:a aef4:9 aef5:a af10:9 af11:a af2c:9 af2d:a af48:9 af49:a af64:9
af65:a af80:9 af81:a af9c:9 af9d:a afb8:9 afb9:a afd4:9 afd5:a aff0:9 aff1:a b00c:9 b00d:a b028:9 b029:a b044:9 b045:a b060:9 b061:a b07c:9
b07d:a b098:9 b099:a b0b4:9 b0b5:a b0d0:9 b0d1:a b0ec:9 b0ed:a b108:9 b109:a b124:9 b125:a b140:9 b141:a b15c:9 b15d:a b178:9 b179:a b194:9
b195:a b1b0:9 b1b1:a b1cc:9 b1cd:a b1e8:9 b1e9:a b204:9 b205:a b220:9 b221:a b23c:9 b23d:a b258:9 b259:a b274:9 b275:a b290:9 b291:a b2ac:9
b2ad:a b2c8:9 b2c9:a b2e4:9 b2e5:a b300:9 b301:a b31c:9 b31d:a b338:9 b339:a b354:9 b355:a b370:9 b371:a b38c:9 b38d:a b3a8:9 b3a9:a b3c4:9
b3c5:a b3e0:9 b3e1:a b3fc:9 b3fd:a b418:9 b419:a b434:9 b435:a b450:9 b451:a b46c:9 b46d:a b488:9 b489:a b4a4:9 b4a5:a b4c0:9 b4c1:a b4dc:9
b4dd:a b4f8:9 b4f9:a b514:9 b515:a b530:9 b531:a b54c:9 b54d:a b568:9 b569:a b584:9 b585:a b5a0:9 b5a1:a b5bc:9 b5bd:a b5d8:9 b5d9:a b5f4:9
b5f5:a b610:9 b611:a b62c:9 b62d:a b648:9 b649:a b664:9 b665:a b680:9 b681:a b69c:9 b69d:a b6b8:9 b6b9:a b6d4:9 b6d5:a b6f0:9 b6f1:a b70c:9
b70d:a b728:9 b729:a b744:9 b745:a b760:9 b761:a b77c:9 b77d:a b798:9 b799:a b7b4:9 b7b5:a b7d0:9 b7d1:a b7ec:9 b7ed:a b808:9 b809:a b824:9
b825:a b840:9 b841:a b85c:9 b85d:a b878:9 b879:a b894:9 b895:a b8b0:9 b8b1:a b8cc:9 b8cd:a b8e8:9 b8e9:a b904:9 b905:a b920:9 b921:a b93c:9
b93d:a b958:9 b959:a b974:9 b975:a b990:9 b991:a b9ac:9 b9ad:a b9c8:9 b9c9:a b9e4:9 b9e5:a ba00:9 ba01:a ba1c:9 ba1d:a ba38:9 ba39:a ba54:9
ba55:a ba70:9 ba71:a ba8c:9 ba8d:a baa8:9 baa9:a bac4:9 bac5:a bae0:9 bae1:a bafc:9 bafd:a bb18:9 bb19:a bb34:9 bb35:a bb50:9 bb51:a bb6c:9
bb6d:a bb88:9 bb89:a bba4:9 bba5:a bbc0:9 bbc1:a bbdc:9 bbdd:a bbf8:9 bbf9:a bc14:9 bc15:a bc30:9 bc31:a bc4c:9 bc4d:a bc68:9 bc69:a bc84:9
bc85:a bca0:9 bca1:a bcbc:9 bcbd:a bcd8:9 bcd9:a bcf4:9 bcf5:a bd10:9 bd11:a bd2c:9 bd2d:a bd48:9 bd49:a bd64:9 bd65:a bd80:9 bd81:a bd9c:9
bd9d:a bdb8:9 bdb9:a bdd4:9 bdd5:a bdf0:9 bdf1:a be0c:9 be0d:a be28:9 be29:a be44:9 be45:a be60:9 be61:a be7c:9 be7d:a be98:9 be99:a beb4:9
beb5:a bed0:9 bed1:a beec:9 beed:a bf08:9 bf09:a bf24:9 bf25:a bf40:9 bf41:a bf5c:9 bf5d:a bf78:9 bf79:a bf94:9 bf95:a bfb0:9 bfb1:a bfcc:9
bfcd:a bfe8:9 bfe9:a c004:9 c005:a c020:9 c021:a c03c:9 c03d:a c058:9 c059:a c074:9 c075:a c090:9 c091:a c0ac:9 c0ad:a c0c8:9 c0c9:a c0e4:9
c0e5:a c100:9 c101:a c11c:9 c11d:a c138:9 c139:a c154:9 c155:a c170:9 c171:a c18c:9 c18d:a c1a8:9 c1a9:a c1c4:9 c1c5:a c1e0:9 c1e1:a c1fc:9
c1fd:a c218:9 c219:a c234:9 c235:a c250:9 c251:a c26c:9 c26d:a c288:9 c289:a c2a4:9 c2a5:a c2c0:9 c2c1:a c2dc:9 c2dd:a c2f8:9 c2f9:a c314:9
c315:a c330:9 c331:a c34c:9 c34d:a c368:9 c369:a c384:9 c385:a c3a0:9 c3a1:a c3bc:9 c3bd:a c3d8:9 c3d9:a c3f4:9 c3f5:a c410:9 c411:a c42c:9
c42d:a c448:9 c449:a c464:9 c465:a c480:9 c481:a c49c:9 c49d:a c4b8:9 c4b9:a c4d4:9 c4d5:a c4f0:9 c4f1:a c50c:9 c50d:a c528:9 c529:a c544:9
c545:a c560:9 c561:a c57c:9 c57d:a c598:9 c599:a c5b4:9 c5b5:a c5d0:9 c5d1:a c5ec:9 c5ed:a c608:9 c609:a c624:9 c625:a c640:9 c641:a c65c:9
c65d:a c678:9 c679:a c694:9 c695:a c6b0:9 c6b1:a c6cc:9 c6cd:a c6e8:9 c6e9:a c704:9 c705:a c720:9 c721:a c73c:9 c73d:a c758:9 c759:a c774:9
c775:a c790:9 c791:a c7ac:9 c7ad:a c7c8:9 c7c9:a c7e4:9 c7e5:a c800:9 c801:a c81c:9 c81d:a c838:9 c839:a c854:9 c855:a c870:9 c871:a c88c:9
c88d:a c8a8:9 c8a9:a c8c4:9 c8c5:a c8e0:9 c8e1:a c8fc:9 c8fd:a c918:9 c919:a c934:9 c935:a c950:9 c951:a c96c:9 c96d:a c988:9 c989:a c9a4:9
c9a5:a c9c0:9 c9c1:a c9dc:9 c9dd:a c9f8:9 c9f9:a ca14:9 ca15:a ca30:9 ca31:a ca4c:9 ca4d:a ca68:9 ca69:a ca84:9 ca85:a caa0:9 caa1:a cabc:9
cabd:a cad8:9 cad9:a caf4:9 caf5:a cb10:9 cb11:a cb2c:9 cb2d:a cb48:9 cb49:a cb64:9 cb65:a cb80:9 cb81:a cb9c:9 cb9d:a cbb8:9 cbb9:a cbd4:9
cbd5:a cbf0:9 cbf1:a cc0c:9 cc0d:a cc28:9 cc29:a cc44:9 cc45:a cc60:9 cc61:a cc7c:9 cc7d:a cc98:9 cc99:a ccb4:9 ccb5:a ccd0:9 ccd1:a ccec:9
cced:a cd08:9 cd09:a cd24:9 cd25:a cd40:9 cd41:a cd5c:9 cd5d:a cd78:9 cd79:a cd94:9 cd95:a cdb0:9 cdb1:a cdcc:9 cdcd:a cde8:9 cde9:a ce04:9
ce05:a ce20:9 ce21:a ce3c:9 ce3d:a ce58:9 ce59:a ce74:9 ce75:a ce90:9 ce91:a ceac:9 cead:a cec8:9 cec9:a cee4:9 cee5:a cf00:9 cf01:a cf1c:9
cf1d:a cf38:9 cf39:a cf54:9 cf55:a cf70:9 cf71:a cf8c:9 cf8d:a cfa8:9 cfa9:a cfc4:9 cfc5:a cfe0:9 cfe1:a cffc:9 cffd:a d018:9 d019:a d034:9
d035:a d050:9 d051:a d06c:9 d06d:a d088:9 d089:a d0a4:9 d0a5:a d0c0:9 d0c1:a d0dc:9 d0dd:a d0f8:9 d0f9:a d114:9 d115:a d130:9 d131:a d14c:9
d14d:a d168:9 d169:a d184:9 d185:a d1a0:9 d1a1:a d1bc:9 d1bd:a d1d8:9 d1d9:a d1f4:9 d1f5:a d210:9 d211:a d22c:9 d22d:a d248:9 d249:a d264:9
d265:a d280:9 d281:a d29c:9 d29d:a d2b8:9 d2b9:a d2d4:9 d2d5:a d2f0:9 d2f1:a d30c:9 d30d:a d328:9 d329:a d344:9 d345:a d360:9 d361:a d37c:9
d37d:a d398:9 d399:a d3b4:9 d3b5:a d3d0:9 d3d1:a d3ec:9 d3ed:a d408:9 d409:a d424:9 d425:a d440:9 d441:a d45c:9 d45d:a d478:9 d479:a d494:9
d495:a d4b0:9 d4b1:a d4cc:9 d4cd:a d4e8:9 d4e9:a d504:9 d505:a d520:9 d521:a d53c:9 d53d:a d558:9 d559:a d574:9 d575:a d590:9 d591:a d5ac:9
d5ad:a d5c8:9 d5c9:a d5e4:9 d5e5:a d600:9 d601:a d61c:9 d61d:a d638:9 d639:a d654:9 d655:a d670:9 d671:a d68c:9 d68d:a d6a8:9 d6a9:a d6c4:9
d6c5:a d6e0:9 d6e1:a d6fc:9 d6fd:a d718:9 d719:a d734:9 d735:a d750:9 d751:a d76c:9 d76d:a d788:9 d789:a d7a4:b d7b0:7 d7c7:b d7cb:8 d7fc:b
d800:2 e000:b fb1e:3 fb1f:b fe00:3 fe10:b fe20:3 fe30:b feff:2 ff00:b ff9e:3 ffa0:b fff0:2 fffc:b 101fd:3 101fe:b 102e0:3 102e1:b 10376:3 1037b:b
10a01:3 10a04:b 10a05:3 10a07:b 10a0c:3 10a10:b 10a38:3 10a3b:b 10a3f:3 10a40:b 10ae5:3 10ae7:b 11000:5 11001:3 11002:5 11003:b 11038:3 11047:b 1107f:3 11082:5
11083:b 110b0:5 110b3:3 110b7:5 110b9:3 110bb:b 110bd:c 110be:b 11100:3 11103:b 11127:3 1112c:5 1112d:3 11135:b 11173:3 11174:b 11180:3 11182:5 11183:b 111b3:5
111b6:3 111bf:5 111c1:b 111c2:c 111c4:b 111ca:3 111cd:b 1122c:5 1122f:3 11232:5 11234:3 11235:5 11236:3 11238:b 1123e:3 1123f:b 112df:3 112e0:5 112e3:3 112eb:b
11300:3 11302:5 11304:b 1133c:3 1133d:b 1133e:3 1133f:5 11340:3 11341:5 11345:b 11347:5 11349:b 1134b:5 1134e:b 11357:3 11358:b 11362:5 11364:b 11366:3 1136d:b
11370:3 11375:b 11435:5 11438:3 11440:5 11442:3 11445:5 11446:3 11447:b 114b0:3 114b1:5 114b3:3 114b9:5 114ba:3 114bb:5 114bd:3 114be:5 114bf:3 114c1:5 114c2:3
114c4:b 115af:3 115b0:5 115b2:3 115b6:b 115b8:5 115bc:3 115be:5 115bf:3 115c1:b 115dc:3 115de:b 11630:5 11633:3 1163b:5 1163d:3 1163e:5 1163f:3 11641:b 116ab:3
116ac:5 116ad:3 116ae:5 116b0:3 116b6:5 116b7:3 116b8:b 1171d:3 11720:5 11722:3 11726:5 11727:3 1172c:b 11a01:3 11a07:5 11a09:3 11a0b:b 11a33:3 11a39:5 11a3a:c
11a3b:3 11a3f:b 11a47:3 11a48:b 11a51:3 11a57:5 11a59:3 11a5c:b 11a86:c 11a8a:3 11a97:5 11a98:3 11a9a:b 11c2f:5 11c30:3 11c37:b 11c38:3 11c3e:5 11c3f:3 11c40:b
11c92:3 11ca8:b 11ca9:5 11caa:3 11cb1:5 11cb2:3 11cb4:5 11cb5:3 11cb7:b 11d31:3 11d37:b 11d3a:3 11d3b:b 11d3c:3 11d3e:b 11d3f:3 11d46:c 11d47:3 11d48:b 16af0:3
16af5:b 16b30:3 16b37:b 16f51:5 16f7f:b 16f8f:3 16f93:b 1bc9d:3 1bc9f:b 1bca0:2 1bca4:b 1d165:3 1d166:5 1d167:3 1d16a:b 1d16d:5 1d16e:3 1d173:2 1d17b:3 1d183:b
1d185:3 1d18c:b 1d1aa:3 1d1ae:b 1d242:3 1d245:b 1da00:3 1da37:b 1da3b:3 1da6d:b 1da75:3 1da76:b 1da84:3 1da85:b 1da9b:3 1daa0:b 1daa1:3 1dab0:b 1e000:3 1e007:b
1e008:3 1e019:b 1e01b:3 1e022:b 1e023:3 1e025:b 1e026:3 1e02b:b 1e8d0:3 1e8d7:b 1e944:3 1e94b:b 1f1e6:4 1f200:b 1f308:g 1f309:b 1f33e:g 1f33f:b 1f373:g 1f374:b
1f385:d 1f386:b 1f393:g 1f394:b 1f3a4:g 1f3a5:b 1f3a8:g 1f3a9:b 1f3c2:d 1f3c5:b 1f3c7:d 1f3c8:b 1f3ca:d 1f3cd:b 1f3eb:g 1f3ec:b 1f3ed:g 1f3ee:b 1f3fb:e 1f400:b
1f442:d 1f444:b 1f446:d 1f451:b 1f466:h 1f46a:b 1f46e:d 1f46f:b 1f470:d 1f479:b 1f47c:d 1f47d:b 1f481:d 1f484:b 1f485:d 1f488:b 1f48b:g 1f48c:b 1f4aa:d 1f4ab:b
1f4bb:g 1f4bd:b 1f527:g 1f528:b 1f52c:g 1f52d:b 1f574:d 1f576:b 1f57a:d 1f57b:b 1f590:d 1f591:b 1f595:d 1f597:b 1f5e8:g 1f5e9:b 1f645:d 1f648:b 1f64b:d 1f650:b
1f680:g 1f681:b 1f692:g 1f693:b 1f6a3:d 1f6a4:b 1f6b4:d 1f6b7:b 1f6c0:d 1f6c1:b 1f6cc:d 1f6cd:b 1f918:d 1f91d:b 1f91e:d 1f920:b 1f926:d 1f927:b 1f930:d 1f93a:b
1f93d:d 1f93f:b 1f9d1:d 1f9de:b e0000:2 e0020:3 e0080:2 e0100:3 e01f0:2 e1000:b
"""


@functools.cache
def grapheme_runs() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The grapheme break property table as ``(start code points, properties)``, sorted."""
    starts, props = [], []
    for item in _GRAPHEME_RUNS.split():
        code, prop = item.split(":")
        starts.append(int(code, 16))
        props.append(int(prop, 36))
    return tuple(starts), tuple(props)


def grapheme_property(cp: int) -> int:
    """Grapheme break property of a code point (grapheme-splitter numbering)."""
    starts, props = grapheme_runs()
    return props[bisect.bisect_right(starts, cp) - 1]


def _should_break(start: int, mid: list[int], end: int) -> bool:
    # A line-by-line port of grapheme-splitter's shouldBreak, quirks included.
    all_ = [start, *mid, end]
    previous = all_[-2]
    nxt = end
    if E_MODIFIER in all_:
        idx = len(all_) - 1 - all_[::-1].index(E_MODIFIER)
        if idx > 1 and all(c == EXTEND for c in all_[1:idx]) and start not in (EXTEND, E_BASE, E_BASE_GAZ):
            return True
    if RI in all_:
        idx = len(all_) - 1 - all_[::-1].index(RI)
        if idx > 0 and all(c == RI for c in all_[1:idx]) and previous not in (PREPEND, RI):
            return True
    if previous == CR and nxt == LF:
        return False
    if previous in (CONTROL, CR, LF) or nxt in (CONTROL, CR, LF):
        return True
    if previous == L and nxt in (L, V, LV, LVT):
        return False
    if previous in (LV, V) and nxt in (V, T):
        return False
    if previous in (LVT, T) and nxt == T:
        return False
    if nxt in (EXTEND, ZWJ, SPACINGMARK) or previous == PREPEND:
        return False
    pne = (len(all_) - 1 - all_[::-1].index(EXTEND)) - 1 if EXTEND in all_ else len(all_) - 2
    if (
        pne >= 0
        and all_[pne] in (E_BASE, E_BASE_GAZ)
        and all(c == EXTEND for c in all_[pne + 1 : -1])
        and nxt == E_MODIFIER
    ):
        return False
    if previous == ZWJ and nxt in (GLUE_AFTER_ZWJ, E_BASE_GAZ):
        return False
    if RI in mid:
        return True
    return not (previous == RI and nxt == RI)


def split_graphemes(text: str) -> list[str]:
    """Split text into grapheme clusters as the oracle does (``"\\r\\n"`` -> two).

    Examples
    --------
    >>> split_graphemes("a🇫🇷\\r\\n👍🏽")
    ['a', '🇫🇷', '\\r', '\\n', '👍🏽']
    """
    props = [grapheme_property(ord(c)) for c in text]
    out: list[str] = []
    start, n = 0, len(text)
    while start < n:
        mid: list[int] = []
        i = start + 1
        while i < n and not _should_break(props[start], mid, props[i]):
            mid.append(props[i])
            i += 1
        cluster = text[start:i]
        out.extend(["\r", "\n"] if cluster == "\r\n" else [cluster])
        start = i
    return out


def utf16_units(text: str) -> int:
    """Length of text in UTF-16 code units (astral characters count two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
