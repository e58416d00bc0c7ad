/* include/ednsprobe/findings.h: the findings catalogue: every finding id
 * once, with its severity and its section in docs/faults.md (the anchor
 * GitHub makes of the heading).  Code names an id by its enum value;
 * tests/unit/test_findings.c holds this list and docs/faults.md to each
 * other. */
#ifndef EDNSPROBE_FINDINGS_H
#define EDNSPROBE_FINDINGS_H

/*
 * X(ID, SEVERITY, "anchor"), in docs/faults.md's order.  SEVERITY is the
 * finding's own; one finding takes another when its evidence says so:
 * ICMP_TOO_BIG is a warning when the MTU it reports no link can have.
 */
#define EP_FINDINGS(X) \
	X(EDNS_DROPPED, ERROR, "edns_dropped") \
	X(EDNS_OPTION_DROPPED, ERROR, "edns_option_dropped") \
	X(EDNS_OPTION_IGNORED, ERROR, "edns_option_ignored") \
	X(EDNS_UNSUPPORTED, WARNING, "edns_unsupported") \
	X(EDNS_BADVERS, ERROR, "edns_badvers") \
	X(UDP_NO_REPLY, ERROR, "udp_no_reply") \
	X(UDP_REFUSED, ERROR, "udp_refused") \
	X(UDP_BAD_REPLIES, ERROR, "udp_bad_replies") \
	X(FRAG_IN_DROPPED, ERROR, "frag_in_dropped") \
	X(UDP_SIZE_LIMIT, ERROR, "udp_size_limit") \
	X(UDP_LARGE_LOST, ERROR, "udp_large_lost") \
	X(TCP_TIMEOUT, ERROR, "tcp_timeout") \
	X(TCP_RESET, ERROR, "tcp_reset") \
	X(TCP_LARGE_LOST, ERROR, "tcp_large_lost") \
	X(TCP_NO_ANSWER, WARNING, "tcp_no_answer") \
	X(TRUNCATED_NO_TCP, ERROR, "truncated_no_tcp") \
	X(NO_REPLY, ERROR, "no_reply") \
	X(NO_REPLY_TCP_RESET, ERROR, "no_reply_tcp_reset") \
	X(UNREACHABLE, ERROR, "unreachable") \
	X(LARGE_UNTESTED, INFO, "large_untested") \
	X(UDP_OVERSIZE, WARNING, "udp_oversize") \
	X(FRAG_NONFIRST_DROPPED, ERROR, "frag_nonfirst_dropped") \
	X(FRAG_FIRST_DROPPED, ERROR, "frag_first_dropped") \
	X(ANSWER_NOT_DELIVERED, ERROR, "answer_not_delivered") \
	X(FRAG6_ONLY_DROPPED, ERROR, "frag6_only_dropped-frag4_only_dropped") \
	X(ICMP_TOO_BIG, INFO, "icmp_too_big") \
	X(CAPTURE_INCOMPLETE, INFO, "capture_incomplete") \
	X(CAPTURE_NO_REPLY, INFO, "capture_no_reply") \
	X(TCP_RESET_FORGED, WARNING, "tcp_reset_forged") \
	X(ICMP_FORGED, WARNING, "icmp_forged") \
	X(ANSWER_FORGED, WARNING, "answer_forged") \
	X(FRAG_OUT_DROPPED, ERROR, "frag_out_dropped") \
	X(PMTU_BLACKHOLE, ERROR, "pmtu_blackhole") \
	X(PMTU_REDUCED, INFO, "pmtu_reduced") \
	X(DROP_HOP, WARNING, "drop_hop") \
	X(COMPLY_FAILED, WARNING, "comply_failed") \
	X(COMPLY_PATH_DROPS, ERROR, "comply_path_drops") \
	X(COMPLY_SERVER_DROPS, ERROR, "comply_server_drops") \
	X(COMPLY_NO_ANSWER, WARNING, "comply_no_answer") \
	X(ZONE_NS_MISMATCH, WARNING, "zone_ns_mismatch") \
	X(ZONE_NS_RRSET_DIFFERS, WARNING, "zone_ns_rrset_differs") \
	X(ZONE_GLUE_MISMATCH, ERROR, "zone_glue_mismatch") \
	X(ZONE_NS_NO_ADDRESS, ERROR, "zone_ns_no_address") \
	X(ZONE_NS_CNAME, ERROR, "zone_ns_cname") \
	X(ZONE_LAME, ERROR, "zone_lame") \
	X(ZONE_SERIAL_MISMATCH, WARNING, "zone_serial_mismatch") \
	X(ZONE_PARENT_NOT_SEEN, WARNING, "zone_parent_not_seen") \
	X(ZONE_ADDRESSES_LEFT_OUT, INFO, "zone_addresses_left_out") \
	X(ZONE_DISCOVERY_CUT, INFO, "zone_discovery_cut") \
	X(ZONE_NO_ADDRESS, ERROR, "zone_no_address") \
	X(DNSSEC_DS_NO_KEY, ERROR, "dnssec_ds_no_key") \
	X(DNSSEC_DS_STALE, INFO, "dnssec_ds_stale") \
	X(DNSSEC_DS_KEY_NOT_ZONE, ERROR, "dnssec_ds_key_not_zone") \
	X(DNSSEC_DS_KEY_NOT_SEP, INFO, "dnssec_ds_key_not_sep") \
	X(DNSSEC_DNSKEY_NOT_SIGNED_BY_DS, ERROR, "dnssec_dnskey_not_signed_by_ds") \
	X(DNSSEC_RRSIG_EXPIRED, ERROR, "dnssec_rrsig_expired-dnssec_rrsig_not_yet_valid-dnssec_rrsig_expiring") \
	X(DNSSEC_RRSIG_NOT_YET_VALID, ERROR, "dnssec_rrsig_expired-dnssec_rrsig_not_yet_valid-dnssec_rrsig_expiring") \
	X(DNSSEC_RRSIG_EXPIRING, WARNING, "dnssec_rrsig_expired-dnssec_rrsig_not_yet_valid-dnssec_rrsig_expiring") \
	X(DNSSEC_RRSIG_BOGUS, ERROR, "dnssec_rrsig_bogus") \
	X(DNSSEC_NO_DS, INFO, "dnssec_no_ds") \
	X(DNSSEC_DS_AT_APEX, WARNING, "dnssec_ds_at_apex") \
	X(DNSSEC_NSEC3PARAM_MISSING, WARNING, "dnssec_nsec3param_missing") \
	X(RESOLVER_UPSTREAM_FAILS, ERROR, "resolver_upstream_fails") \
	X(RESOLVER_PATH_LOSES, ERROR, "resolver_path_loses") \
	X(RESOLVER_COPES, INFO, "resolver_copes") \
	X(RESOLVER_NO_DO, WARNING, "resolver_no_do") \
	X(RESOLVER_NOT_VALIDATING, INFO, "resolver_not_validating") \
	X(RESOLVER_NO_COMPARISON, INFO, "resolver_no_comparison") \
	X(TWOWAY_FRAG_OUT_DROPPED, ERROR, "twoway_frag_out_dropped") \
	X(TWOWAY_FRAG_IN_DROPPED, ERROR, "twoway_frag_in_dropped") \
	X(TWOWAY_OUT_LIMIT, ERROR, "twoway_out_limit") \
	X(TWOWAY_IN_LIMIT, ERROR, "twoway_in_limit") \
	X(TWOWAY_MTU_DIFFERS, WARNING, "twoway_mtu_differs") \
	X(TWOWAY_NO_LOG, WARNING, "twoway_no_log") \
	X(DROP_HOP_IN, WARNING, "drop_hop_in") \
	X(FRAG4_ONLY_DROPPED, ERROR, "frag6_only_dropped-frag4_only_dropped") \
	X(EH_DROPPED, WARNING, "eh_dropped")

enum ep_finding_id {
#define EP_FINDING_ENUM(id, sev, anchor)	EP_F_##id,
	EP_FINDINGS(EP_FINDING_ENUM)
#undef EP_FINDING_ENUM
	EP_F_COUNT
};

#endif
